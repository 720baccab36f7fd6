#!/usr/bin/perl
# autologout.t - a client idle before login is disconnected after
# prot_timeout_preauth seconds (its minimum, 5, here) with "-ERR
# [SYS/TEMP] Autologout" and "autologout timeout=<5>" is logged; a client
# that keeps talking is not.  (After login the timer is poptimeout, whose
# minimum of 10 minutes is too long to test here.)
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'], config => { prot_timeout_preauth => 5 });
my $c = Murder::POP3->connect($n);
my $busy = Murder::POP3->connect($n);
my $t0 = time();
for (1 .. 4) {
    sleep(1.5);
    my ($ok) = $busy->multi('CAPA');
    like($ok, qr/^\+OK/, "busy client CAPA $_");
}
like($c->line(15) // '', qr/^-ERR \[SYS\/TEMP\] Autologout/, 'idle client told');
ok($c->at_eof, 'and disconnected');
ok(time() - $t0 >= 4, 'not before the timeout');
ok($n->wait_for_log(qr/autologout timeout=<5>/, 5), 'logged');
like($busy->login('alice'), qr/^\+OK/, 'busy client still served');
$n->stop;
done_testing;
