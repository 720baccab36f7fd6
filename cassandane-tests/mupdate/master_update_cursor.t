#!/usr/bin/perl
# master_update_cursor.t - a full UPDATE of a big list (200,000 entries,
# loaded with ctl_mboxlist -u) is streamed as the subscriber reads, and
# changes committed while it streams are neither lost nor reordered: a
# change to a name already sent comes after the tagged OK, a change to a
# name not yet reached is listed in its new state (a deleted one never).
# The subscriber's socket has a small receive buffer, so the master must
# hold the rest of the list back.  At the end the subscriber's copy,
# built only from what it received, equals a fresh LIST.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::MUPDATE;
use Murder::Util qw(find_binary);

skip_unless_built(qw(master mupdate ctl_mboxlist));

my $N = 200_000;
my $n = Murder::MUPDATE::mupdate_node(no_start => 1);
my $dump = Murder::Instance::test_dir() . '/dump.txt';
open(my $fh, '>', $dump) or die "$dump: $!";
printf $fh "user.u%06d\t%%M1 t=1:r p=7:default s=3:be1 a=11:u%06d\tlr\t\n", $_, $_ for 0 .. $N - 1;
close($fh);
is(system(find_binary('ctl_mboxlist'), '-C', $n->imapd_conf, '-u', '-f', $dump), 0,
   "ctl_mboxlist -u loaded $N entries");
$n->_chown_tree;
$n->start;

my $w = Murder::MUPDATE->connect($n, user => 'murder');
my $s = Murder::MUPDATE->connect($n, user => 'murder', rcvbuf => 4096, timeout => 30);
# a NOOP pipelined right behind UPDATE (same packet): answered after the
# list, its OK and the changes queued behind the cursor
my ($tag, $noop) = ('U1', 'N1');
$s->send_raw("$tag UPDATE\r\n$noop NOOP\r\n");
$s->{update_tag} = $tag;

# read a little of the list: the cursor is then somewhere in the middle
my %copy;
my @order;
my $first_part = 2000;
for (1 .. $first_part) {
    my $i = $s->read_item(30) or last;
    $copy{$i->[1]} = [@$i];
    push @order, $i->[1];
}
is(scalar @order, $first_part, "first $first_part entries received");

my $first = sprintf('user.u%06d', 0);
my $second = sprintf('user.u%06d', 1);
my $last = sprintf('user.u%06d', $N - 1);
my $second_last = sprintf('user.u%06d', $N - 2);
my @changes = (
    ['ACTIVATE', $first, 'be2!default', "x\tlrs\t"],   # behind the cursor
    ['DELETE', $second],                               # behind
    ['RESERVE', 'user.a', 'be3!default'],              # new, behind (sorts first)
    ['ACTIVATE', $last, 'be2!default', "y\tlrs\t"],    # ahead
    ['DELETE', $second_last],                          # ahead
    ['RESERVE', 'user.zzz', 'be3!default'],            # new, ahead
);
for my $c (@changes) {
    is($w->cmd(@$c)->{status}, 'OK', "while streaming: @$c[0,1]");
}

# read the rest of the list, the OK, then the queued changes up to a NOOP
my ($ok_seen, @after, %listed_twice);
while (my $i = $s->read_item(30)) {
    if ($i->[0] eq 'OK' && $i->[1] eq $tag) { $ok_seen = 1; last }
    $listed_twice{$i->[1]}++ if exists $copy{$i->[1]};
    $copy{$i->[1]} = [@$i];
}
ok($ok_seen, 'the tagged OK ends the list');
is(scalar(keys %listed_twice), 0, 'no name listed twice in the initial list');
my $noop_ok;
while (my $i = $s->read_item(30)) {
    if ($i->[0] eq 'OK' && $i->[1] eq $noop) { $noop_ok = 1; last }
    push @after, $i;
}
ok($noop_ok, 'the pipelined NOOP is answered');
is_deeply([map { "$_->[0] $_->[1]" } @after],
          ["MAILBOX $first", "DELETE $second", 'RESERVE user.a'],
          'changes behind the cursor follow the OK, in commit order, before the NOOP OK');
for my $i (@after) {
    if ($i->[0] eq 'DELETE') { delete $copy{$i->[1]} } else { $copy{$i->[1]} = $i }
}
is_deeply($copy{$last}, ['MAILBOX', $last, 'be2!default', "y\tlrs\t"],
          'a change ahead of the cursor is listed in its new state');
ok(!exists $copy{$second_last}, 'a name deleted ahead of the cursor is never listed');
ok(exists $copy{'user.zzz'}, 'a name created ahead of the cursor is listed');

# the subscriber's copy equals the master's list
my $list = $w->cmd('LIST');
is($list->{status}, 'OK', 'LIST ok');
my %master = map { $_->[1] => $_ } @{$list->{items}};
is(scalar(keys %copy), scalar(keys %master), 'same number of entries as LIST');
my @diff = grep { join("\0", @{$copy{$_} // []}) ne join("\0", @{$master{$_}}) } keys %master;
is(scalar @diff, 0, 'every entry equal to LIST') or diag("first differences: @diff[0 .. 4]");

$n->stop;
done_testing;
