#!/usr/bin/perl
# start_order.t - START entries run once each, in file order, each to
# completion before the next, and all before any service listens; the
# services then come up.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(spew slurp running_as_root cyrus_user);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'startorder',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1 }]);
$i->prepare;
my $root = $i->root;
my $port = $i->port('svc');
my $hex = sprintf('%04X', $port);
my $trace = "$root/logs/start-trace";
my $script = "$root/start-step.sh";
# Records begin/end of each step and whether the service port listens.
spew($script, <<"SH", 0755);
#!/bin/sh
echo "begin \$1" >> $trace
if grep -q ":$hex [0-9A-F]*:[0-9A-F]* 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
    echo "listening \$1" >> $trace
fi
sleep 0.3
echo "end \$1" >> $trace
SH
$i->set_entries('start',
    { name => 'first', cmd => "$script one", conf => 0 },
    { name => 'second', cmd => "$script two", conf => 0 });
$i->prepare;
$i->start;

my @t = split(/\n/, slurp($trace) // '');
is_deeply(\@t, ['begin one', 'end one', 'begin two', 'end two'],
          'START entries ran once each, in order, each to completion, before services listened')
    or diag("trace:\n" . join("\n", @t));
my $c = $i->line_client('svc');
like($c->banner, qr/service=svc/, 'the service answers after START');
$c->cmd('QUIT');
$i->stop;
done_testing;
