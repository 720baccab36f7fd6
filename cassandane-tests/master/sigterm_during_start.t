#!/usr/bin/perl
# sigterm_during_start.t - SIGTERM while a START entry is still running
# (e.g. a hung ctl_cyrusdb -r) stops the entry and master promptly, exit 0,
# without ever binding the services and without leaving any process.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for spew slurp);
use Time::HiRes qw(time);
use IO::Socket::INET;

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'termstart',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1 }]);
$i->prepare;
my $root = $i->root;
my $trace = "$root/logs/start-trace";
my $script = "$root/hang.sh";
spew($script, "#!/bin/sh\necho begin >> $trace\nexec sleep 60\n", 0755);
$i->set_entries('start', { name => 'hang', cmd => $script, conf => 0 });
$i->launch;

ok(wait_for(sub { (slurp($trace) // '') =~ /begin/ }, 10), 'the START entry is running');
ok(!-e $i->pidfile, 'no pidfile while START runs');
ok(!IO::Socket::INET->new(PeerAddr => $i->address, PeerPort => $i->port('svc'), Timeout => 2),
   'the service does not listen while START runs');

my $t0 = time();
my $res = $i->stop(timeout => 10);
my $took = time() - $t0;
ok($took < 8, sprintf('master stopped %.1f s after SIGTERM', $took));
is($res->{exit_status}, 0, 'exit status 0');
is_deeply($res->{leftovers}, [], 'the START entry did not outlive master');
like($i->all_log_text, qr/shutting down during start signal=<15> name=<hang>/,
     'the log says why master stopped');
done_testing;
