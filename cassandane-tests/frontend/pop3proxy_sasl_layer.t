#!/usr/bin/perl
# pop3proxy_sasl_layer.t - POP3 AUTH with a SASL security layer through
# the frontend: DIGEST-MD5 with integrity protection (auth-int; every
# buffer carries a MAC and a sequence number, so a byte outside the layer
# breaks the session).  After the exchange the frontend starts the layer
# right behind its +OK, and the whole relayed session (STAT, LIST, RETR
# of a message larger than one layer buffer, QUIT) goes through it in
# both directions; the backend never sees the layer.  (auth-conf needs
# Crypt::RC4/DES in the Perl client, which Debian does not install.)
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::POP3;
use Murder::MsgIMAP;
use MIME::Base64 qw(encode_base64 decode_base64);

skip_unless_built(qw(master imapd pop3d lmtpd pop3proxyd ctl_mboxlist testsvc));
eval { require Authen::SASL; require Authen::SASL::Perl::DIGEST_MD5; 1 }
    or plan(skip_all => 'Authen::SASL (DIGEST-MD5) missing');

my $t = Murder::Proxy::murder(
    frontend_config => { sasl_mech_list => 'PLAIN LOGIN DIGEST-MD5' });
Murder::Proxy::provision($t, alice => 0);
my $f = $t->frontend(0);

my $big = join('', map { sprintf("line %05d of a long body\n", $_) } 1 .. 6000);
{
    my $c = Murder::MsgIMAP::client($t->backend(0), 'alice');
    for my $body ("short body\n", $big) {
        my $ok = Murder::MsgIMAP::append($c, 'INBOX',
            Murder::MsgIMAP::msg("From: x\@example.com\nSubject: layered\n\n$body"));
        die "APPEND: " . ($ok // 'EOF') unless ($ok // '') =~ /OK/;
    }
    $c->cmd('LOGOUT');
}

# line - one CRLF line from the layered handle (undef on EOF)
sub line {
    my ($fh, $pending) = @_;
    while ($$pending !~ /\r\n/) {
        my $n = read($fh, my $chunk, 65536);
        return undef unless $n;
        $$pending .= $chunk;
    }
    $$pending =~ s/^(.*?)\r\n//s;
    return $1;
}

# multi - the lines of a multi-line answer after its status, unstuffed
sub multi {
    my ($fh, $pending) = @_;
    my @l;
    while (defined(my $l = line($fh, $pending))) {
        return @l if $l eq '.';
        $l =~ s/^\.//;
        push @l, $l;
    }
    return (@l, 'EOF');
}

for my $qop (qw(auth-int)) {
    my $c = Murder::POP3->connect($f);
    my $sock = $c->sock;
    my $sasl = Authen::SASL->new(mechanism => 'DIGEST-MD5',
        callback => { user => 'alice', pass => $Murder::Proxy::USERS{alice} });
    my $conn = $sasl->client_new('pop', $f->servername);
    $conn->property(minssf => 1, maxssf => 1);
    $conn->client_start;
    my $r = $c->cmd('AUTH DIGEST-MD5');
    like($r // 'EOF', qr/^\+ /, "$qop: a challenge");
    my $resp = $conn->client_step(decode_base64(substr($r, 2)));
    ok(defined $resp, "$qop: client response") or diag($conn->error);
    $r = $c->cmd(encode_base64($resp, ''));
    like($r // 'EOF', qr/^\+ /, "$qop: rspauth");
    $conn->client_step(decode_base64(substr($r, 2)));
    $r = $c->cmd('');
    like($r // 'EOF', qr/^\+OK Mailbox open, 2 messages/, "$qop: +OK relayed from the backend");
    cmp_ok($conn->property('ssf') // 0, '>', 0, "$qop: a security layer was negotiated");

    my $fh = $conn->securesocket($sock);
    my $pending = '';
    print $fh "STAT\r\n";
    like(line($fh, \$pending) // 'EOF', qr/^\+OK 2 \d+$/, "$qop: STAT through the layer");
    print $fh "LIST\r\n";
    like(line($fh, \$pending) // 'EOF', qr/^\+OK/, "$qop: LIST");
    is(scalar(my @l = multi($fh, \$pending)), 2, "$qop: two messages listed");
    print $fh "RETR 2\r\n";
    like(line($fh, \$pending) // 'EOF', qr/^\+OK/, "$qop: RETR 2");
    my @msg = multi($fh, \$pending);
    is(scalar(grep { /^line \d{5} of a long body$/ } @msg), 6000,
       "$qop: the large message arrives whole through the layer");
    print $fh "QUIT\r\n";
    like(line($fh, \$pending) // 'EOF', qr/^\+OK/, "$qop: QUIT");
    close($fh);
}
ok($f->wait_for_log(qr/login ok user=<alice> mech=<DIGEST-MD5>/, 5),
   'the frontend logged the DIGEST-MD5 logins');

$t->stop;
done_testing;
