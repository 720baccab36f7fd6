#!/usr/bin/perl
# slave_resync.t - a frontend slave started against an existing list of
# 10,000 mailboxes copies all of it; restarted after changes made while it
# was down, it resyncs: new entries appear, entries the master deleted
# meanwhile (stale local copies) are removed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;
use Murder::LMTP;
use Murder::Topology;
use Time::HiRes qw(time);

skip_unless_built(qw(master mupdate ctl_mboxlist));

my $N = 10_000;
my $t = Murder::Topology->murder(backends => 0, frontends => 1, placeholders => 1,
                                  frontend_config => { serverlist => '127.0.0.98' });
$t->start;
my $fe = $t->frontend(0);
$fe->stop;

sub dump_fe {
    my ($out, $st) = Murder::LMTP::run_tool($fe, 'ctl_mboxlist', '-d');
    return {} if $st >> 8 == 66;    # the slave has not created the list yet
    die "ctl_mboxlist -d: $out" if $st;
    my %h;
    for (split /\n/, $out) { $h{$1} = 1 if /^(\S+)\t/ }
    return \%h;
}

my $m = Murder::MUPDATE->new($t->mupdate->connect('mupdate'));
$m->auth($Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD)
    or die 'auth: ' . ($m->last_text // '');

# pipelined - send commands in batches, then collect their answers; the
# number answered OK
sub pipelined {
    my @cmds = @_;
    my $ok = 0;
    while (my @batch = splice(@cmds, 0, 500)) {
        my @tags = map { $m->send_cmd(@$_) } @batch;
        $ok += ($m->wait_tagged($_)->{status} eq 'OK') for @tags;
    }
    return $ok;
}

is(pipelined(map { ['ACTIVATE', sprintf('user.u%05d', $_), '127.0.0.98!default',
                    "u$_\tlrs\t"] } 1 .. $N), $N, "$N mailboxes on the master");

my $t0 = time();
$fe->start;
ok(Murder::Util::wait_for(sub { keys(%{dump_fe()}) >= $N }, 20, 0.2),
   'the whole list reached the frontend');
my $h = dump_fe();
is(scalar(keys %$h), $N, 'exactly the list');
diag(sprintf('initial sync of %d entries in about %.1f s', $N, time() - $t0));

# Changes while the frontend is down.
$fe->stop;
is(pipelined(map { ['DELETE', sprintf('user.u%05d', $_)] } 1 .. 100), 100,
   'deleted 100 while the frontend was down');
is(pipelined(['ACTIVATE', 'user.newcomer', '127.0.0.98!default', "n\tlrs\t"]), 1,
   'one added');
$fe->start;
ok(Murder::Util::wait_for(sub { my $d = dump_fe();
                                $d->{'user.newcomer'} && !$d->{'user.u00001'} }, 10, 0.2),
   'resync after restart');
$h = dump_fe();
is(scalar(keys %$h), $N - 100 + 1, 'stale entries removed, new one added');
ok(!grep({ $h->{sprintf('user.u%05d', $_)} } 1 .. 100), 'none of the deleted remain');
ok($fe->wait_for_log(qr/mupdate slave removed stale entries count=<100>/, 5),
   'logged the cleanup');
$m->close;
$t->stop;
done_testing;
