#!/usr/bin/perl
# crash_replaced.t - a child that dies (SIGKILL from outside, or crashing
# while serving) is replaced: the service keeps its prefork count with a new
# process and keeps answering; the exit is logged with the signal.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for proc_alive);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'crash', services => [
    { name => 'svc', cmd => 'testsvc', prefork => 2 },
]);
$i->start;
ok(wait_for(sub { $i->child_pids('svc') == 2 }, 10), 'two children');
my @before = $i->child_pids('svc');

# Killed from outside.
my $victim = $before[0];
kill('KILL', $victim);
ok(wait_for(sub { !proc_alive($victim) }, 5), "child $victim is gone");
ok(wait_for(sub {
    my @now = $i->child_pids('svc');
    @now == 2 && !grep { $_ == $victim } @now;
}, 10), 'replaced: two children again, without the killed one')
    or diag("children: @{[$i->child_pids('svc')]}");
ok($i->wait_for_log(qr/child exited.*\bpid=<?$victim\b.*signal[= ]<?9\b/, 5),
   'the exit is logged with pid and signal 9')
    or diag($i->log_tail(20));

# Crashing while serving a client.
my $c = $i->line_client('svc');
my $crasher = $c->banner_field('pid');
$i->allow_crash($crasher);    # its sanitizer report (if any) is expected
$c->send_line('CRASH');
ok($c->at_eof(5), 'the crashing child drops its connection');
ok(wait_for(sub { !proc_alive($crasher) }, 5), "crashed child $crasher is gone");
ok(wait_for(sub {
    my @now = $i->child_pids('svc');
    @now >= 2 && !grep { $_ == $crasher } @now;
}, 10), 'replaced after the crash');

my $d = $i->line_client('svc');
like($d->banner, qr/service=svc/, 'service still answers');
isnt($d->banner_field('pid'), $crasher, 'from another child');
$d->cmd('QUIT');

$i->stop;
done_testing;
