#!/usr/bin/perl
# teardown_own.t - stopping an instance stops exactly its own processes:
# another instance running the same programs and an unrelated process with
# the same name survive; children orphaned by a killed master are still
# found (process group) and reported as left over.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for proc_alive find_binary);
use POSIX qw(setpgid _exit);

skip_unless_built(qw(master testsvc));

my @svc = ({ name => 'svc', cmd => 'testsvc', prefork => 2 });
my $a = Murder::Instance->new(name => 'a', services => \@svc);
my $b = Murder::Instance->new(name => 'b', services => \@svc);
$a->start;
$b->start;
ok(wait_for(sub { $a->child_pids('svc') == 2 && $b->child_pids('svc') == 2 }, 10), 'both up');

# A decoy: a process named like the service's program, not ours.
my $testsvc = find_binary('testsvc');
my $decoy = fork();
if ($decoy == 0) {
    setpgid(0, 0);
    exec { '/bin/sleep' } $testsvc, '60' or _exit(127);
}
my @a_procs = ($a->pid, $a->child_pids('svc'));
my @b_procs = ($b->pid, $b->child_pids('svc'));
my $r = $a->stop(quiet => 1);
is_deeply($r->{problems}, [], 'a stopped cleanly');
ok(!grep({ proc_alive($_) } @a_procs), "a's processes are gone");
is(scalar(grep { proc_alive($_) } @b_procs), scalar(@b_procs), "b's processes all survive");
ok(proc_alive($decoy), 'the unrelated process with the same name survives');
my $c = $b->line_client('svc');
like($c->banner, qr/service=svc/, 'b still serves');
$c->cmd('QUIT');
kill('KILL', $decoy);
waitpid($decoy, 0);

# Kill b's master hard: its children are orphaned but still b's.
my @orphans = $b->child_pids('svc');
kill('KILL', $b->pid);
ok(wait_for(sub { !proc_alive($b->pid) || $b->master_gone }, 5), 'b master killed');
my $r2 = $b->stop(quiet => 1);
my $orphans_alive_then = grep { my $p = $_; grep { $_ == $p } @{$r2->{leftovers}} } @orphans;
SKIP: {
    skip('master took its children with it', 2) unless @{$r2->{leftovers}};
    ok($orphans_alive_then, 'orphaned children are reported as left over');
    ok(@{$r2->{problems}} > 0, 'and stop reports a problem');
}
ok(!grep({ proc_alive($_) } @orphans), 'orphaned children are killed by stop');
done_testing;
