#!/usr/bin/perl
# sigterm_clean.t - SIGTERM stops master and every child, even children
# busy with a client, within a bound; master exits 0, removes its pidfile
# and stops listening; clients see their connection closed; no process of
# the instance (by pid or process group) is left.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for proc_alive);
use Time::HiRes qw(time);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'term', services => [
    { name => 'a', cmd => 'testsvc', prefork => 2 },
    { name => 'b', cmd => 'testsvc', prefork => 1 },
]);
$i->start;
ok(wait_for(sub { $i->child_pids('a') == 2 && $i->child_pids('b') == 1 }, 10), 'children up');

my $idle_client = $i->line_client('a');
my $busy_client = $i->line_client('b');
$busy_client->send_line('SLEEP 30');    # a child in the middle of a command
my @procs = ($i->pid, $i->all_children);
ok(@procs >= 4, 'master and at least three children: ' . scalar(@procs));
my $port_a = $i->port('a');

my $t0 = time();
my $r = $i->stop(quiet => 1, timeout => 15);
my $took = time() - $t0;
ok($took < 15, sprintf('stopped in %.1f s', $took));
is($r->{exit_status}, 0, 'master exit status 0')
    or diag("status: " . ($r->{exit_status} // 'undef'));
is_deeply($r->{leftovers}, [], 'no process of the instance left (pid or process group)')
    or diag(join("\n", @{$r->{problems}}));
ok(!grep({ proc_alive($_) } @procs), 'every process seen before SIGTERM is gone');
ok(!-e $i->pidfile, 'pidfile removed');
ok(!Murder::Instance::is_listening($i->address, $port_a), 'no longer listening');
ok($idle_client->at_eof(5), 'idle client sees its connection closed');
ok($busy_client->at_eof(5), 'busy client sees its connection closed');
is_deeply($r->{sanitizer}, [], 'no sanitizer report');
ok($i->wait_for_log(qr/master\[\d+\].*(exit|stop|shut)/i, 2), 'master logs that it stops')
    or diag($i->log_tail(10));
done_testing;
