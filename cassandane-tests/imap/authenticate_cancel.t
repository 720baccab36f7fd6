#!/usr/bin/perl
# authenticate_cancel.t - "*" cancels an AUTHENTICATE exchange with BAD;
# invalid base64 (in the initial response or a continuation line) is BAD;
# an unknown mechanism is NO; the session then still authenticates.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { maxbadcommands_preauth => 10 });
my $c = Murder::RawIMAP->connect($n);
$c->send("a AUTHENTICATE PLAIN\r\n");
is($c->line, '+ ', 'challenge');
$c->send("*\r\n");
like(scalar $c->until_tag('a'), qr/^a BAD .*cancel/i, 'cancel is BAD');
like(scalar $c->cmd('AUTHENTICATE PLAIN !!!notbase64'), qr/^t1 BAD .*base64/i,
     'bad base64 initial response');
$c->send("b AUTHENTICATE PLAIN\r\n");
is($c->line, '+ ', 'challenge');
$c->send("%%%\r\n");
like(scalar $c->until_tag('b'), qr/^b BAD .*base64/i, 'bad base64 response');
like(scalar $c->cmd('AUTHENTICATE X-NOSUCHMECH'), qr/^t2 NO/, 'unknown mechanism');
my $ir = Murder::RawIMAP::plain('', 'alice', 'alice-pw');
like(scalar $c->cmd("AUTHENTICATE PLAIN $ir"), qr/^t3 OK/, 'authenticates afterwards');
$n->stop;
done_testing;
