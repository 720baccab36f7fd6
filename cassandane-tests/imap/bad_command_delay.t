#!/usr/bin/perl
# bad_command_delay.t - bad commands cost time from the fourth on: the
# first three are answered at once, then each BAD is followed by a growing
# pause (0.5 s, 1 s, ...) before the next command is read, well before the
# maxbadcommands disconnect; good commands are not delayed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;
use Time::HiRes qw(time);

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice');

# timed - (reply of $cmd followed by NOOP, seconds until the NOOP's OK)
sub timed {
    my ($cmd) = @_;
    my $t0 = time();
    my $r = $c->cmd($cmd) // 'EOF';
    my $ok = $c->cmd('NOOP') // 'EOF';
    return ($r, $ok, time() - $t0);
}

for my $i (1 .. 3) {
    my ($r, $ok, $dt) = timed("XBAD$i");
    like($r, qr/^\S+ BAD/, "bad $i: BAD");
    cmp_ok($dt, '<', 0.4, "bad $i: no delay");
}
my ($r, $ok, $dt) = timed('XBAD4');
like($r, qr/^\S+ BAD/, 'bad 4: BAD at once');
cmp_ok($dt, '>=', 0.45, 'bad 4: the next command waits ~0.5 s');
($r, $ok, $dt) = timed('XBAD5');
cmp_ok($dt, '>=', 0.95, 'bad 5: ~1 s');
like($ok, qr/^\S+ OK/, 'the session is still usable');
my $t0 = time();
$c->cmd('NOOP') for 1 .. 5;
cmp_ok(time() - $t0, '<', 0.5, 'good commands are not delayed');
$n->stop;
done_testing;
