#!/usr/bin/perl
# slave_slow_peer.t - the frontend's mupdate slave never blocks on a peer
# that does not read: a TCP peer (logged in) pipelines three LISTs of a
# 20,000-entry list through a tiny receive window and reads nothing;
# meanwhile a local peer's FIND is answered at once and a change on the
# master reaches the slave (a local NOOP catches up); when the slow peer
# finally reads, it gets all three answers complete and in order.  The
# slave used to block up to 10 s in each write to such a peer (and then
# drop it).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::MUPDATE;
use Murder::Topology;
use IO::Socket::UNIX;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master mupdate ctl_mboxlist));

my $N = 20_000;
my $t = Murder::Topology->murder(backends => 0, frontends => 1, placeholders => 1,
                                  frontend_config => { serverlist => '127.0.0.98' });
$t->start;
my $fe = $t->frontend(0);
my ($admin, $pw) = ($Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD);
my $sockpath = $fe->imapd_option('configdirectory') . '/socket/mupdate.target';

my $m = Murder::MUPDATE->new($t->mupdate->connect('mupdate'));
$m->auth($admin, $pw) or die 'master auth: ' . ($m->last_text // '');
my $ok = 0;
for (my $i = 1; $i <= $N; $i += 500) {
    my @tags = map { $m->send_cmd('ACTIVATE', sprintf('user.u%05d', $_), '127.0.0.98!default',
                                  "u$_\tlrs\t") } $i .. $i + 499;
    $ok += ($m->wait_tagged($_)->{status} eq 'OK') for @tags;
}
is($ok, $N, "$N mailboxes on the master");
ok(Murder::Util::wait_for(sub { -S $sockpath }, 10), 'the slave listens locally');
my $l = Murder::MUPDATE->new(IO::Socket::UNIX->new(Peer => $sockpath));
is($l->cmd('NOOP')->{status}, 'OK', 'the slave caught up');

# the slow peer: three LISTs, nothing read
my $s = Murder::MUPDATE->new(Murder::MUPDATE::small_socket($fe, 4096));
ok($s->auth($admin, $pw), 'slow TCP peer logged in');
$s->send_raw("L1 LIST\r\nL2 LIST\r\nL3 LIST\r\n");
sleep 1;

my $t0 = time;
is($l->cmd('FIND', 'user.u00007')->{items}[0][0] // '', 'MAILBOX', 'a local FIND meanwhile');
my $find = time - $t0;
cmp_ok($find, '<', 1, sprintf('answered at once (%.3f s)', $find));

$t0 = time;
is($m->cmd('ACTIVATE', 'user.late', '127.0.0.98!default', "late\tlrs\t")->{status}, 'OK',
   'a change on the master meanwhile');
is($l->cmd('NOOP')->{status}, 'OK', 'local NOOP: caught up');
my $catch = time - $t0;
is($l->cmd('FIND', 'user.late')->{items}[0][0] // '', 'MAILBOX', 'the change is on the frontend');
cmp_ok($catch, '<', 2, sprintf('within %.3f s', $catch));

# now read everything the slow peer was sent
my (%count, @done);
while (my $r = $s->read_response(30)) {
    my ($tag, $word) = @{$r->{words}};
    if ($word eq 'OK') { push @done, $tag; last if $tag eq 'L3'; next }
    $count{$tag}++ if $word eq 'MAILBOX';
}
is_deeply(\@done, ['L1', 'L2', 'L3'], 'the three LISTs completed, in order');
cmp_ok($count{L1} // 0, '>=', $N, "L1: every entry ($count{L1})");
cmp_ok($count{L3} // 0, '>=', $N, "L3: every entry ($count{L3})");
is($s->cmd('NOOP')->{status}, 'OK', 'the slow peer was kept and goes on');

$t->stop;
done_testing;
