#!/usr/bin/perl
# daemon.t - a DAEMON entry is started once master starts, restarted when
# it exits, runs as cyrus_user, and is stopped with master (the harness
# checks no process is left).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(spew slurp wait_for proc_alive proc_uid running_as_root);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'daemon',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 0 }]);
$i->prepare;
my $trace = $i->root . '/logs/daemon-trace';
my $script = $i->root . '/daemon.sh';
spew($script, "#!/bin/sh\necho \$\$ >> $trace\nexec sleep 300\n", 0755);
$i->set_entries('daemons', { name => 'sleeper', cmd => $script, conf => 0 });
$i->start;

ok(wait_for(sub { -s $trace }, 10), 'the daemon started') or diag($i->log_tail(20));
my ($first) = split(/\n/, slurp($trace) // '');
ok($first && proc_alive($first), "it runs (pid $first)");
is(proc_uid($first), scalar(getpwnam('cyrus')), 'as cyrus_user') if running_as_root();
kill('KILL', $first);
ok(wait_for(sub { my @p = split(/\n/, slurp($trace) // ''); @p >= 2 && proc_alive($p[-1]) }, 15),
   'restarted after it died') or diag($i->log_tail(20));
my @pids = split(/\n/, slurp($trace) // '');
isnt($pids[-1], $first, 'as a new process');
my $r = $i->stop(quiet => 1);
is_deeply($r->{leftovers}, [], 'stopped with master, nothing left');
ok(!proc_alive($pids[-1]), 'the daemon is gone');
done_testing;
