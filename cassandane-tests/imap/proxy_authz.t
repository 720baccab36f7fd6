#!/usr/bin/perl
# proxy_authz.t - an authorization identity (PLAIN authzid) is accepted only
# when the authentication identity is in proxyservers (or admins): proxy
# may act as alice, bob may not; the log names both.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $c = Murder::RawIMAP->connect($n);
my $ir = Murder::RawIMAP::plain('alice', 'bob', 'bob-pw');
like(scalar $c->cmd("AUTHENTICATE PLAIN $ir"), qr/^t1 NO \[AUTHENTICATIONFAILED\]/,
     'bob may not act as alice');
ok($n->wait_for_log(qr/proxy authorization refused authid=<bob> authzid=<alice>/, 5),
   'refusal logged');
$ir = Murder::RawIMAP::plain('alice', 'proxy', 'proxy-pw');
like(scalar $c->cmd("AUTHENTICATE PLAIN $ir"), qr/^t2 OK/, 'proxy may act as alice');
ok($n->wait_for_log(qr/login ok user=<proxy> mech=<PLAIN> tls=<0> authzid=<alice>.* user=<alice>/, 5),
   'login logged with authid and authzid, session user alice');
$n->stop;
done_testing;
