#!/usr/bin/perl
# starttls.t - with a certificate and allowplaintext off: STARTTLS and
# LOGINDISABLED are advertised and PLAIN is not; LOGIN is refused with
# NO [PRIVACYREQUIRED]; after STARTTLS (IO::Socket::SSL upgrade) the list
# loses STARTTLS and LOGINDISABLED and gains AUTH=PLAIN, LOGIN works and is
# logged tls=<1>; a second STARTTLS is refused.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));
eval { require IO::Socket::SSL; 1 } or plan(skip_all => 'IO::Socket::SSL missing');

my $n = Murder::RawIMAP::imapd_node(tls => 1, config => { allowplaintext => 'no' });
my $c = Murder::RawIMAP->connect($n);
my ($caps) = $c->greeting =~ /\[CAPABILITY ([^\]]*)\]/;
like($caps, qr/\bSTARTTLS\b/, 'STARTTLS advertised');
like($caps, qr/\bLOGINDISABLED\b/, 'LOGINDISABLED advertised');
unlike($caps, qr/AUTH=PLAIN/, 'no PLAIN in the clear');
like($c->login('alice', 'alice-pw'), qr/^t1 NO \[PRIVACYREQUIRED\]/, 'LOGIN refused in the clear');

like(scalar $c->cmd('STARTTLS'), qr/^t2 OK Begin TLS negotiation now/, 'STARTTLS ok');
ok($c->start_ssl, 'TLS handshake');
my ($ok, @u) = $c->cmd('CAPABILITY');
like($ok, qr/^t3 OK/, 'CAPABILITY over TLS');
unlike($u[0], qr/\bSTARTTLS\b/, 'STARTTLS gone');
unlike($u[0], qr/\bLOGINDISABLED\b/, 'LOGINDISABLED gone');
like($u[0], qr/AUTH=PLAIN/, 'PLAIN offered over TLS');
like(scalar $c->cmd('STARTTLS'), qr/^t4 BAD/, 'second STARTTLS refused');
like($c->login('alice', 'alice-pw'), qr/^t5 OK/, 'LOGIN over TLS');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<plaintext> tls=<1>/, 5), 'logged tls=<1>');
like(scalar $c->cmd('STARTTLS'), qr/^t6 BAD/, 'STARTTLS after login refused');
$n->stop;
done_testing;
