#!/usr/bin/perl
# implicit_tls.t - "imapd -s" on a second service speaks TLS from the first
# byte: the greeting comes over TLS without STARTTLS in it, PLAIN is
# offered even with allowplaintext off, login works (tls=<1>); the plain
# service beside it still offers STARTTLS.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));
eval { require IO::Socket::SSL; 1 } or plan(skip_all => 'IO::Socket::SSL missing');

my $n = Murder::RawIMAP::imapd_node(imaps => 1, config => { allowplaintext => 'no' });
my $c = Murder::RawIMAP->connect($n, service => 'imaps', ssl => 1);
like($c->greeting, qr/^\* OK \[CAPABILITY /, 'greeting over TLS');
unlike($c->greeting, qr/STARTTLS|LOGINDISABLED/, 'no STARTTLS/LOGINDISABLED');
like($c->greeting, qr/AUTH=PLAIN/, 'PLAIN offered');
like(scalar $c->cmd('AUTHENTICATE PLAIN ' . Murder::RawIMAP::plain('', 'alice', 'alice-pw')),
     qr/^t1 OK .*Success \(tls protection\)/, 'AUTHENTICATE over implicit TLS');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<PLAIN> tls=<1>/, 5), 'logged tls=<1>');

my $p = Murder::RawIMAP->connect($n);
like($p->greeting, qr/\bSTARTTLS\b/, 'plain service offers STARTTLS');
$n->stop;
done_testing;
