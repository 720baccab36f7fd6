#!/usr/bin/perl
# privilege_drop.t - started as root, master runs its children as
# cyrus_user: their real and effective uid and gid are the cyrus user's
# (seen by the child itself and in /proc), with no supplementary root group,
# while master keeps root.  A cyrus_user that does not exist stops master
# with a message naming it.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for slurp running_as_root);

skip_unless_built(qw(master testsvc));
plan(skip_all => 'needs root (master only drops privileges when started as root)')
    unless running_as_root();
my (undef, undef, $uid, $gid) = getpwnam('cyrus');
plan(skip_all => 'no cyrus user: run tools/install-deps') unless defined $uid;

my $i = Murder::Instance->new(name => 'priv', services => [
    { name => 'svc', cmd => 'testsvc', prefork => 2 },
]);
$i->start;
ok(wait_for(sub { $i->child_pids('svc') == 2 }, 10), 'children up');

my $c = $i->line_client('svc');
is($c->banner_field('uid'), $uid, 'the child reports the cyrus uid');
for my $p ($i->child_pids('svc')) {
    my $st = slurp("/proc/$p/status");
    my ($r, $e, $s, $f) = $st =~ /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m;
    is("$r $e $s $f", "$uid $uid $uid $uid", "child $p: every uid is cyrus's");
    my ($gr, $ge) = $st =~ /^Gid:\s+(\d+)\s+(\d+)/m;
    is("$gr $ge", "$gid $gid", "child $p: gid is cyrus's primary group");
    my ($groups) = $st =~ /^Groups:[ \t]*(.*)$/m;
    ok(!grep({ $_ == 0 } split(' ', $groups // '')), "child $p: not in group root ($groups)");
}
my ($muid) = slurp('/proc/' . $i->pid . '/status') =~ /^Uid:\s+(\d+)/m;
is($muid, 0, 'master keeps root');
$c->cmd('QUIT');
$i->stop;

my $bad = Murder::Instance->new(name => 'nouser',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1 }],
    config => { cyrus_user => 'no_such_user_xyz' });
my ($status, $log) = $bad->start_expect_failure(10);
ok(defined $status && $status != 0, 'unknown cyrus_user: master refuses to start');
like($log, qr/no_such_user_xyz/, 'the message names the user');
done_testing;
