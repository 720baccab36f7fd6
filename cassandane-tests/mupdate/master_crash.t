#!/usr/bin/perl
# master_crash.t - crash safety of the MUPDATE master's list: while a
# client pipelines RESERVE then ACTIVATE for many names, the mupdate
# process is killed with SIGKILL; master starts a new one, and every
# change that had been acknowledged is there (an acknowledged ACTIVATE as
# MAILBOX, an acknowledged RESERVE at least reserved): nothing is
# acknowledged before it is on disk.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::MUPDATE;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node();
# master may still be starting its prefork child when the port answers
my $pid;
Murder::Util::wait_for(sub { ($pid) = $n->child_pids('mupdate'); $pid }, 10);
ok($pid, 'mupdate runs as pid ' . ($pid // '(none)'));
$n->allow_crash($pid);

my $w = Murder::MUPDATE->connect($n, user => 'murder');
my (%sent, %acked, $killed, $i);
my $window = 40;
my $outstanding = 0;
my $kill_after = 300;
my $eof;
while (!$eof) {
    # keep $window commands in flight: RESERVE x, then ACTIVATE x
    while (!$killed && $outstanding < $window) {
        $i++;
        my $name = sprintf('user.c%05d', $i);
        my $t1 = $w->send_cmd('RESERVE', $name, 'be1!default') or last;
        my $t2 = $w->send_cmd('ACTIVATE', $name, 'be1!default', "c\tlrs\t") or last;
        $sent{$t1} = ['RESERVE', $name];
        $sent{$t2} = ['MAILBOX', $name];
        $outstanding += 2;
    }
    my $resp = $w->read_response(10);
    if (!$resp) { $eof = 1; last }
    my ($tag, $word) = @{$resp->{words}};
    next unless $sent{$tag};
    $outstanding--;
    if ($word eq 'OK') {
        my ($kind, $name) = @{$sent{$tag}};
        $acked{$name} = $kind if !$acked{$name} || $kind eq 'MAILBOX';
    }
    if (!$killed && keys(%acked) >= $kill_after) {
        kill('KILL', $pid);
        $killed = time();
    }
}
ok($killed, 'mupdate killed with SIGKILL mid-stream');
ok($eof, 'the client saw the connection end');
my $nacked = keys %acked;
cmp_ok($nacked, '>=', $kill_after, "$nacked names acknowledged before the crash");

# master starts a new mupdate; the list must hold every acknowledged change
my $m;
ok(Murder::Util::wait_for(sub {
    my ($p) = $n->child_pids('mupdate');
    return 0 unless $p && $p != $pid;
    $m = eval { Murder::MUPDATE->connect($n, user => 'murder') };
}, 20), 'a new mupdate serves again');
my $list = $m->cmd('LIST');
is($list->{status}, 'OK', 'LIST after the crash');
my %now = map { $_->[1] => $_->[0] } @{$list->{items}};
my @lost = grep { !$now{$_} || ($acked{$_} eq 'MAILBOX' && $now{$_} ne 'MAILBOX') } keys %acked;
is(scalar @lost, 0, 'every acknowledged change survived') or diag("lost: @lost[0 .. 9]");
ok(!grep({ $_ !~ /^user\.c\d+$/ } keys %now), 'nothing else in the list');

$n->stop;
done_testing;
