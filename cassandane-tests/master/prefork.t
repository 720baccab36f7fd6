#!/usr/bin/perl
# prefork.t - master keeps `prefork` idle children per service: exactly that
# many once started, the same processes while nothing happens, a new idle
# one forked while one is busy, and none for prefork=0 until a client comes.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for);
use Time::HiRes qw(sleep);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'prefork', services => [
    { name => 'three', cmd => 'testsvc', prefork => 3 },
    { name => 'zero', cmd => 'testsvc', prefork => 0 },
]);
$i->start;

ok(wait_for(sub { $i->child_pids('three') == 3 }, 10), 'prefork=3: three children')
    or diag("children: @{[$i->child_pids('three')]}");
my @first = $i->child_pids('three');
sleep(1.5);
is_deeply([$i->child_pids('three')], \@first, 'the same three children 1.5 s later (no churn)');
is(scalar($i->child_pids('zero')), 0, 'prefork=0: no child before a connection');

# One busy child: master forks another so three stay idle.
my $c = $i->line_client('three');
like($c->banner, qr/^\* OK testsvc pid=\d+ gen=\d+ service=three uid=\d+/, 'banner names the service');
my $busy = $c->banner_field('pid');
ok((grep { $_ == $busy } $i->child_pids('three')), 'a preforked child took the connection');
ok(wait_for(sub { $i->child_pids('three') == 4 }, 10), 'one busy + three idle = four children')
    or diag("children: @{[$i->child_pids('three')]}");
is($c->cmd('PID'), $busy, 'busy child still serves its client');
like($c->cmd('QUIT'), qr/^\* BYE/, 'QUIT');

# prefork=0 forks on demand.
my $z = $i->line_client('zero');
like($z->banner, qr/service=zero/, 'prefork=0 service answers on demand');
ok(scalar($i->child_pids('zero')) >= 1, 'prefork=0: a child exists while serving');
$z->cmd('QUIT');

# Many short connections in sequence do not grow the pool without bound.
for (1 .. 10) {
    my $s = $i->line_client('three');
    $s->cmd('QUIT');
}
sleep(0.5);
my $n = $i->child_pids('three');
ok($n >= 3 && $n <= 5, "after 10 sequential connections 3..5 children ($n)");

$i->stop;
done_testing;
