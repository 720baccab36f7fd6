#!/usr/bin/perl
# frontend_sasl_layer.t - a SASL security layer between a client and the
# frontend: DIGEST-MD5 with integrity protection (auth-int; every buffer
# carries a MAC and a sequence number, so a byte outside the layer breaks
# the session), for IMAP through proxyd and POP3 through pop3proxyd.  The
# final OK comes in clear, then the whole proxied session goes through
# the layer in both directions, with messages larger than one layer
# buffer; the backend connections never carry it.  (auth-conf needs
# Crypt::RC4/DES in the Perl client, which Debian does not install.)
#  - IMAP: LIST from the frontend's list, SELECT and a 170 KB FETCH from
#    the backend, LOGOUT;
#  - POP3: the layer starts right behind the +OK relayed from the
#    backend; STAT, LIST, RETR of the large message, QUIT; a command
#    pipelined in plaintext behind the last AUTH line is never run (the
#    session closes) and the maildrop is untouched.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::RawIMAP;
use Murder::POP3;
use Murder::MsgIMAP;
use Murder::SASLLayer;
use MIME::Base64 qw(encode_base64 decode_base64);

skip_unless_built(qw(master imapd pop3d lmtpd proxyd pop3proxyd ctl_mboxlist testsvc));
plan(skip_all => 'Authen::SASL (DIGEST-MD5) missing') unless Murder::SASLLayer::available();

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

# --- IMAP through proxyd
{
    my $c = Murder::RawIMAP->connect($f);
    my $conn = Murder::SASLLayer::client('imap', $f->servername, 'alice',
                                         $Murder::Proxy::USERS{alice});
    $conn->client_start;
    $c->send("a1 AUTHENTICATE DIGEST-MD5\r\n");
    my $r = $c->line;
    like($r // 'EOF', qr/^\+ /, 'IMAP: a challenge');
    my $resp = $conn->client_step(decode_base64(substr($r // '', 2)));
    ok(defined $resp, 'IMAP: client response') or diag($conn->error);
    $c->send(encode_base64($resp // '', '') . "\r\n");
    $r = $c->line;
    like($r // 'EOF', qr/^\+ /, 'IMAP: rspauth');
    $conn->client_step(decode_base64(substr($r // '', 2)));
    $c->send("\r\n");
    $r = $c->line;
    like($r // 'EOF', qr/^a1 OK/, 'IMAP: tagged OK in clear');
    cmp_ok($conn->property('ssf') // 0, '>', 0, 'IMAP: integrity layer negotiated');

    my $l = Murder::SASLLayer->wrap($conn, $c->sock);
    my @l = $l->command('a2', 'LIST "" "*"', literals => 1);
    like($l[-1], qr/^a2 OK/, 'IMAP: LIST through the layer');
    ok(grep({ /^\* LIST .* "?INBOX"?$/ } @l), '... from the frontend: INBOX');
    @l = $l->command('a3', 'SELECT INBOX', literals => 1);
    like($l[-1], qr/^a3 OK/, 'IMAP: SELECT (proxied to the backend) through the layer');
    ok(grep({ /^\* 2 EXISTS/ } @l), '... 2 EXISTS');
    @l = $l->command('a4', 'FETCH 2 BODY.PEEK[TEXT]', literals => 1);
    like($l[-1], qr/^a4 OK/, 'IMAP: FETCH through the layer');
    my ($fetch) = grep { /FETCH/ } @l;
    is(scalar(() = ($fetch // '') =~ /^line \d{5} of a long body\r?$/mg), 6000,
       'IMAP: the large body arrives whole');
    @l = $l->command('a5', 'LOGOUT');
    like($l[-1], qr/^a5 OK/, 'IMAP: LOGOUT');
    $l->close;
}


# --- POP3 through pop3proxyd
{
    my $qop = 'POP3';
    my $c = Murder::POP3->connect($f);
    my $sock = $c->sock;
    my $conn = Murder::SASLLayer::client('pop', $f->servername, 'alice',
                                         $Murder::Proxy::USERS{alice});
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

    my $l = Murder::SASLLayer->wrap($conn, $sock);
    $l->send("STAT\r\n");
    like($l->line // 'EOF', qr/^\+OK 2 \d+$/, "$qop: STAT through the layer");
    $l->send("LIST\r\n");
    like($l->line // 'EOF', qr/^\+OK/, "$qop: LIST");
    is(scalar(my @list = $l->multi), 2, "$qop: two messages listed");
    $l->send("RETR 2\r\n");
    like($l->line // 'EOF', qr/^\+OK/, "$qop: RETR 2");
    my @msg = $l->multi;
    is(scalar(grep { /^line \d{5} of a long body$/ } @msg), 6000,
       "$qop: the large message arrives whole through the layer");
    $l->send("QUIT\r\n");
    like($l->line // 'EOF', qr/^\+OK/, "$qop: QUIT");
    $l->close;
}
# --- POP3: plaintext pipelined behind the last AUTH line is never run
# under the layer: the session is closed instead
{
    my $c = Murder::POP3->connect($f);
    my $conn = Murder::SASLLayer::client('pop', $f->servername, 'alice',
                                         $Murder::Proxy::USERS{alice});
    $conn->client_start;
    my $r = $c->cmd('AUTH DIGEST-MD5');
    my $resp = $conn->client_step(decode_base64(substr($r // '', 2)));
    $r = $c->cmd(encode_base64($resp // '', ''));
    $conn->client_step(decode_base64(substr($r // '', 2)));
    $c->send("\r\nDELE 1\r\n");
    like($c->line // 'EOF', qr/^\+OK/, 'POP3 pipelined: +OK in clear');
    ok(!defined $c->line(5), 'POP3 pipelined: then closed, DELE not run');
    ok($f->wait_for_log(qr/PROTOERR SASL security layer failed/, 5),
       'POP3 pipelined: logged as a protocol error');
    my $d = Murder::POP3->connect($f);
    like($d->login('alice', $Murder::Proxy::USERS{alice}) // 'EOF',
         qr/^\+OK Mailbox open, 2 messages/, 'POP3 pipelined: the maildrop is untouched');
    $d->cmd('QUIT');
}

ok($f->wait_for_log(qr/login ok user=<alice> mech=<DIGEST-MD5>/, 5),
   'the frontend logged the DIGEST-MD5 logins');


$t->stop;
done_testing;
