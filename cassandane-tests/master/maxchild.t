#!/usr/bin/perl
# maxchild.t - more clients than prefork make master fork more children, up
# to maxchild and never beyond; a client beyond maxchild waits (it is not
# refused) and is served as soon as a child is free.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for);
use Time::HiRes qw(sleep);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'maxchild', services => [
    { name => 'svc', cmd => 'testsvc', prefork => 1, maxchild => 3 },
]);
$i->start;
ok(wait_for(sub { $i->child_pids('svc') == 1 }, 10), 'one preforked child');

my @c = map { $i->line_client('svc') } 1 .. 3;
my %pids = map { ($_->banner_field('pid') // 'none') => 1 } @c;
is(scalar(keys %pids), 3, 'three clients are served by three distinct children');
ok(!exists $pids{none}, 'every client got a banner');

my $fourth = $i->line_client('svc', no_banner => 1);
my $early = $fourth->read_line(2);
ok(!defined $early, 'a fourth client gets no banner while three are busy');
my $max = 0;
for (1 .. 10) {
    my $n = $i->child_pids('svc');
    $max = $n if $n > $max;
    sleep(0.1);
}
ok($max <= 3, "never more than maxchild=3 children (saw $max)");
ok($fourth->sock->connected, 'the fourth client is not refused');

like($c[0]->cmd('QUIT'), qr/^\* BYE/, 'one client leaves');
my $banner = $fourth->read_line(10);
like($banner // '', qr/^\* OK testsvc .*service=svc/, 'the waiting client is served then');
is($fourth->cmd('hello'), 'hello', 'and works');
ok(scalar($i->child_pids('svc')) <= 3, 'still at most three children');
$_->cmd('QUIT') for @c[1, 2], $fourth;
$i->stop;
done_testing;
