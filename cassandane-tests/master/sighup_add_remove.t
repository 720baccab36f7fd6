#!/usr/bin/perl
# sighup_add_remove.t - SIGHUP rereads cyrus.conf: a new service starts
# listening and answering, a removed one stops listening while the
# connection it is serving keeps working to its end, an unchanged one keeps
# its port and answers throughout, and master itself stays the same process.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for);
use IO::Socket::INET;

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'hup', services => [
    { name => 'keep', cmd => 'testsvc', prefork => 1 },
    { name => 'gone', cmd => 'testsvc', prefork => 1 },
]);
$i->start;
my $master = $i->pid;
my $keep_port = $i->port('keep');
my $gone_port = $i->port('gone');

my $held = $i->line_client('gone');
like($held->banner, qr/service=gone/, 'connected to the service to be removed');
my $held_pid = $held->banner_field('pid');
my $gen0 = $held->banner_field('gen');

$i->remove_service('gone');
my $new = $i->add_service(name => 'added', cmd => 'testsvc', prefork => 1);
$i->hup;

ok(wait_for(sub { Murder::Instance::is_listening($i->address, $new->{port}) }, 10),
   'the added service listens after SIGHUP')
    or diag($i->log_tail(20));
my $a = $i->line_client('added');
like($a->banner, qr/service=added/, 'the added service answers as itself');
my $gen1 = $a->banner_field('gen');
ok(defined $gen1 && defined $gen0 && $gen1 > $gen0, "generation grew ($gen0 -> $gen1)");
is($a->cmd('ping'), 'ping', 'the added service works');
$a->cmd('QUIT');

ok(wait_for(sub { !Murder::Instance::is_listening($i->address, $gone_port) }, 10),
   'the removed service no longer listens');
ok(!IO::Socket::INET->new(PeerAddr => $i->address, PeerPort => $gone_port, Proto => 'tcp',
                          Timeout => 5), 'a new connection to it is refused');

is($held->cmd('PID'), $held_pid, 'the connection in progress still works after SIGHUP');
is($held->cmd('echo me'), 'echo me', '... and keeps working');
like($held->cmd('QUIT'), qr/^\* BYE/, '... to its end');
ok(wait_for(sub { !grep { $_ == $held_pid } $i->all_children }, 10),
   'the removed service child goes away once its client left');

ok(Murder::Instance::is_listening($i->address, $keep_port), 'the unchanged service still listens');
my $k = $i->line_client('keep');
like($k->banner, qr/service=keep/, 'the unchanged service answers');
$k->cmd('QUIT');
is($i->pid, $master, 'master is the same process');
ok(kill(0, $master), 'master still runs');
ok(wait_for(sub { $i->child_pids('added') >= 1 }, 5), 'the added service has its prefork child');

$i->stop;
done_testing;
