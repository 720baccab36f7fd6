#!/usr/bin/perl
# master_list_stream.t - LIST on the master is streamed as the client
# reads, like UPDATE's initial list: a LIST of 200,000 entries to a client
# that reads slowly does not make the master buffer the answer (its
# memory grows by far less than the answer's size) nor delay other peers;
# LIST with a location prefix gives exactly that server's entries; a
# command pipelined behind LIST is answered after LIST's OK; a client that
# disconnects in the middle of a LIST leaves the master serving.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::MUPDATE;
use Murder::Util qw(find_binary);
use Time::HiRes qw(time);

skip_unless_built(qw(master mupdate ctl_mboxlist));

my $N = 200_000;
my $n = Murder::MUPDATE::mupdate_node(no_start => 1);
my $dump = Murder::Instance::test_dir() . '/dump.txt';
open(my $fh, '>', $dump) or die "$dump: $!";
printf $fh "user.u%06d\t%%M1 t=1:r p=7:default s=3:be%d a=11:u%06d\tlr\t\n",
    $_, 1 + $_ % 2, $_ for 0 .. $N - 1;
close($fh);
is(system(find_binary('ctl_mboxlist'), '-C', $n->imapd_conf, '-u', '-f', $dump), 0,
   "ctl_mboxlist -u loaded $N entries");
$n->_chown_tree;
$n->start;
ok($n->wait_for_log(qr/mupdate master ready entries=<$N>/, 20), 'master loaded them');
my ($pid) = map { /mupdate\[(\d+)\]: info: mupdate master ready/ ? $1 : () } $n->log_lines(qr/master ready/);

# sanitized - is the master's process built with AddressSanitizer?
sub sanitized {
    open(my $f, '<', "/proc/$pid/maps") or return 0;
    return scalar grep { /libasan/ } <$f>;
}

sub rss_kb {
    open(my $f, '<', "/proc/$pid/status") or return 0;
    while (<$f>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return 0;
}

my $w = Murder::MUPDATE->connect($n, user => 'murder');
is($w->cmd('NOOP')->{status}, 'OK', 'warm-up');
my $rss0 = rss_kb();

# a slow reader: LIST plus a pipelined NOOP, then read only a little
my $s = Murder::MUPDATE->connect($n, user => 'murder', rcvbuf => 4096, timeout => 30);
$s->send_raw("L1 LIST\r\nN1 NOOP\r\n");
$s->{update_tag} = 'L1';        # read_item: entries of L1 as [word, name, ...]
my @got;
for (1 .. 1000) {
    my $i = $s->read_item(30) or last;
    push @got, $i;
}
is(scalar @got, 1000, 'first 1000 entries of the LIST');
select(undef, undef, undef, 0.5);
my $grew = rss_kb() - $rss0;
# the whole answer is ~17 MB; a slice is 64 KB.  Under ASan freed memory
# stays resident (its quarantine), so RSS says nothing there.
SKIP: {
    skip 'RSS is not meaningful under AddressSanitizer', 1 if sanitized();
    cmp_ok($grew, '<', 4096, "the master holds the answer back (RSS +$grew KB)");
}

# other peers are served meanwhile
my $t0 = time;
is($w->cmd('RESERVE', 'user.zz', 'be3!default')->{status}, 'OK', 'RESERVE meanwhile');
is($w->cmd('FIND', 'user.u000007')->{items}[0][2] // '', 'be2!default', 'FIND meanwhile');
cmp_ok(time - $t0, '<', 1, 'answered at once');

# the rest of the LIST, its OK, then the NOOP's
my ($list_ok, $noop_ok, $early_noop);
while (my $i = $s->read_item(30)) {
    if ($i->[0] eq 'OK' && $i->[1] eq 'L1') { $list_ok = 1; next }
    if ($i->[0] eq 'OK' && $i->[1] eq 'N1') { $noop_ok = 1; last }
    $early_noop = 1 if $list_ok;
    push @got, $i;
}
ok($list_ok && $noop_ok && !$early_noop, 'LIST OK, then the pipelined NOOP OK');
is(scalar @got, $N + 1, 'every entry listed once (with the one reserved meanwhile)');
my %seen = map { $_->[1] => 1 } @got;
is(scalar keys %seen, $N + 1, 'no duplicates');

# LIST with a prefix
my $r = $w->cmd('LIST', 'be2');
is($r->{status}, 'OK', 'LIST be2');
is(scalar @{$r->{items}}, $N / 2, 'exactly be2\'s entries');
ok(!grep({ $_->[2] !~ /^be2!/ } @{$r->{items}}), 'all of them at be2');
is(scalar @{$w->cmd('LIST', 'nowhere')->{items}}, 0, 'LIST of an unknown server: empty');

# a client that goes away in the middle
my $q = Murder::MUPDATE->connect($n, user => 'murder', rcvbuf => 4096);
$q->send_raw("Q1 LIST\r\n");
$q->read_item(10);
$q->close;
is($w->cmd('FIND', 'user.zz')->{items}[0][0] // '', 'RESERVE', 'master serves on after a LIST was abandoned');
ok($n->wait_for_log(qr/connection closed .*reason=<(peer closed|peer hung up|Connection reset by peer|[^>]*reset[^>]*)>/, 5),
   'the abandoned LIST\'s peer was closed');

$n->stop;
done_testing;
