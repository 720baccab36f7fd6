#!/usr/bin/perl
# event.t - an EVENTS entry with period= runs (as Cyrus does, once when
# master starts, then every period minutes), as cyrus_user, with its
# output not breaking master.  The repeat after a full period takes a
# minute and is only checked with MURDER_SLOW=1.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => ($ENV{MURDER_SLOW} ? 150 : 60);
use Murder::Instance;
use Murder::Util qw(spew slurp wait_for running_as_root);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'event',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1 }]);
$i->prepare;
my $trace = $i->root . "/logs/event-trace";
my $script = $i->root . "/event.sh";
spew($script, "#!/bin/sh\necho \"ran \$(id -u)\" >> $trace\n", 0755);
$i->set_entries('events', { name => 'tick', cmd => $script, conf => 0, period => 1 });
$i->start;

ok(wait_for(sub { -s $trace }, 10), 'the period=1 event ran after start')
    or diag($i->log_tail(20));
my @runs = split(/\n/, slurp($trace) // '');
is(scalar(@runs), 1, 'exactly once so far');
if (running_as_root()) {
    my $uid = getpwnam('cyrus');
    is($runs[0], "ran $uid", 'the event runs as cyrus_user');
}
if ($ENV{MURDER_SLOW}) {
    ok(wait_for(sub { my @r = split(/\n/, slurp($trace) // ''); @r >= 2 }, 75),
       'it ran again one period later');
}
my $c = $i->line_client('svc');
like($c->banner, qr/service=svc/, 'services unaffected');
$c->cmd('QUIT');
$i->stop;
done_testing;
