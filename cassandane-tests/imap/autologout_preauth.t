#!/usr/bin/perl
# autologout_preauth.t - a client idle before login is disconnected after
# prot_timeout_preauth seconds (its minimum, 5, here) with
# "* BYE Autologout"; a client that keeps talking is not; the next client
# is served.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { prot_timeout_preauth => 5 });
my $c = Murder::RawIMAP->connect($n);
my $busy = Murder::RawIMAP->connect($n);
my $t0 = time();
# keep $busy active past the idle time of $c
for (1 .. 4) {
    sleep(1.5);
    like(scalar $busy->cmd('NOOP'), qr/OK/, "busy client NOOP $_");
}
my $l = $c->line(15);
like($l // '', qr/^\* BYE Autologout/, 'idle client gets BYE Autologout');
ok($c->at_eof, 'and is disconnected');
ok(time() - $t0 >= 4, 'not before the timeout');
ok($n->wait_for_log(qr/autologout timeout=<5>/, 5), 'logged');
like(scalar $busy->cmd('NOOP'), qr/OK/, 'busy client still served');
$n->stop;
done_testing;
