#!/usr/bin/perl
# proxyd_sasl_layer.t - IMAP AUTHENTICATE with a SASL security layer at
# the frontend: DIGEST-MD5 with integrity protection (auth-int).  The
# tagged OK comes in clear, then every command and response of the
# proxied session goes through the layer (a byte outside it breaks the
# session): LIST from the frontend's list, SELECT and FETCH of a message
# larger than one layer buffer from the backend, LOGOUT.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::RawIMAP;
use Murder::MsgIMAP;
use MIME::Base64 qw(encode_base64 decode_base64);

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist testsvc));
eval { require Authen::SASL; require Authen::SASL::Perl::DIGEST_MD5; 1 }
    or plan(skip_all => 'Authen::SASL (DIGEST-MD5) missing');

my $t = Murder::Proxy::murder(
    frontend_config => { sasl_mech_list => 'PLAIN LOGIN DIGEST-MD5' });
Murder::Proxy::provision($t, alice => 0);
my $f = $t->frontend(0);

my $big = join('', map { sprintf("line %05d of a long body\n", $_) } 1 .. 6000);
{
    my $c = Murder::MsgIMAP::client($t->backend(0), 'alice');
    my $ok = Murder::MsgIMAP::append($c, 'INBOX',
        Murder::MsgIMAP::msg("From: x\@example.com\nSubject: layered\n\n$big"));
    die "APPEND: " . ($ok // 'EOF') unless ($ok // '') =~ /OK/;
    $c->cmd('LOGOUT');
}

my $c = Murder::RawIMAP->connect($f);
my $sasl = Authen::SASL->new(mechanism => 'DIGEST-MD5',
    callback => { user => 'alice', pass => $Murder::Proxy::USERS{alice} });
my $conn = $sasl->client_new('imap', $f->servername);
$conn->property(minssf => 1, maxssf => 1);
$conn->client_start;
$c->send("a1 AUTHENTICATE DIGEST-MD5\r\n");
my $r = $c->line;
like($r // 'EOF', qr/^\+ /, 'a challenge');
my $resp = $conn->client_step(decode_base64(substr($r // '', 2)));
ok(defined $resp, 'client response') or diag($conn->error);
$c->send(encode_base64($resp // '', '') . "\r\n");
$r = $c->line;
like($r // 'EOF', qr/^\+ /, 'rspauth');
$conn->client_step(decode_base64(substr($r // '', 2)));
$c->send("\r\n");
$r = $c->line;
like($r // 'EOF', qr/^a1 OK/, 'tagged OK in clear');
cmp_ok($conn->property('ssf') // 0, '>', 0, 'integrity layer negotiated');

my $fh = $conn->securesocket($c->sock);
my $pending = '';
# line - one CRLF line through the layer; literals are returned inline
sub line {
    while ($pending !~ /\r\n/) {
        my $n = read($fh, my $chunk, 65536);
        return undef unless $n;
        $pending .= $chunk;
    }
    $pending =~ s/^(.*?)\r\n//s;
    my $l = $1;
    if ($l =~ /\{(\d+)\}$/) {
        my $want = $1;
        while (length($pending) < $want) {
            my $n = read($fh, my $chunk, 65536);
            return undef unless $n;
            $pending .= $chunk;
        }
        $l .= "\r\n" . substr($pending, 0, $want, '');
        my $rest = line();
        $l .= $rest // '';
    }
    return $l;
}
sub cmd {
    my ($tag, $text) = @_;
    print $fh "$tag $text\r\n";
    my @l;
    while (defined(my $l = line())) {
        push @l, $l;
        return @l if $l =~ /^\Q$tag\E (OK|NO|BAD)\b/;
    }
    return (@l, 'EOF');
}

my @l = cmd('a2', 'LIST "" "*"');
like($l[-1], qr/^a2 OK/, 'LIST through the layer');
ok(grep({ /^\* LIST .* "?INBOX"?$/ } @l), '... from the frontend: INBOX');
@l = cmd('a3', 'SELECT INBOX');
like($l[-1], qr/^a3 OK/, 'SELECT (proxied to the backend) through the layer');
ok(grep({ /^\* 1 EXISTS/ } @l), '... 1 EXISTS');
@l = cmd('a4', 'FETCH 1 BODY.PEEK[TEXT]');
like($l[-1], qr/^a4 OK/, 'FETCH through the layer');
my ($fetch) = grep { /FETCH/ } @l;
is(scalar(() = ($fetch // '') =~ /^line \d{5} of a long body\r?$/mg), 6000,
   'the large body arrives whole');
@l = cmd('a5', 'LOGOUT');
like($l[-1], qr/^a5 OK/, 'LOGOUT');
close($fh);
ok($f->wait_for_log(qr/login ok user=<alice> mech=<DIGEST-MD5>/, 5), 'the login is logged');

$t->stop;
done_testing;
