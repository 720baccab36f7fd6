#!/usr/bin/perl
# authenticate_plain.t - AUTHENTICATE PLAIN with an initial response
# (SASL-IR, RFC 4959) and without (empty "+ " continuation, response on
# its own line); success answers OK [CAPABILITY ...]; a wrong password is
# NO [AUTHENTICATIONFAILED]; the log says mech=<PLAIN>.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $c = Murder::RawIMAP->connect($n);
my $ir = Murder::RawIMAP::plain('', 'alice', 'alice-pw');
like(scalar $c->cmd("AUTHENTICATE PLAIN $ir"),
     qr/^t1 OK \[CAPABILITY IMAP4rev1 LITERAL\+ .*\] Success/, 'SASL-IR');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<PLAIN> tls=<0>/, 5), 'logged');
$c->cmd('LOGOUT');

$c = Murder::RawIMAP->connect($n);
$c->send("a AUTHENTICATE PLAIN\r\n");
is($c->line, '+ ', 'empty challenge');
$c->send(Murder::RawIMAP::plain('', 'bob', 'wrong') . "\r\n");
like(scalar $c->until_tag('a'), qr/^a NO \[AUTHENTICATIONFAILED\]/, 'wrong password');
$c->send("b AUTHENTICATE PLAIN\r\n");
is($c->line, '+ ', 'empty challenge again');
$c->send(Murder::RawIMAP::plain('', 'bob', 'bob-pw') . "\r\n");
like(scalar $c->until_tag('b'), qr/^b OK \[CAPABILITY /, 'without SASL-IR');
like(scalar $c->cmd('NOOP'), qr/^t1 OK/, 'session goes on');
$n->stop;
done_testing;
