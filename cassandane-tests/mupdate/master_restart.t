#!/usr/bin/perl
# master_restart.t - restarting the MUPDATE master under subscribers:
# each gets "* BYE" and EOF (none hangs), the list survives the restart,
# and a subscriber that reconnects gets exactly the same list; a change
# made after the restart reaches it.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::MUPDATE;

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node();
my $w = Murder::MUPDATE->connect($n, user => 'murder');
for my $i (1 .. 20) {
    my @cmd = $i % 3 ? ('ACTIVATE', "user.r$i", 'be1!default', "r$i\tlrs\t")
                     : ('RESERVE', "user.r$i", 'be2!default');
    is($w->cmd(@cmd)->{status}, 'OK', "seed $cmd[0] user.r$i") or last;
}
my $before = $w->cmd('LIST')->{items};
is(scalar @$before, 20, 'LIST has the 20 entries');

my @subs = map { Murder::MUPDATE->connect($n, user => 'murder') } 1 .. 5;
for my $s (@subs) {
    is_deeply($s->start_update->{items}, $before, 'subscriber listed the same entries');
}

$n->stop;
my $byes = 0;
for my $s (@subs) {
    my @rest;
    while (my $i = $s->read_item(10)) { push @rest, $i }
    $byes++ if @rest && $rest[-1][0] eq 'BYE';
}
is($byes, 5, 'every subscriber got BYE then EOF when the master stopped');

$n->start;
my $s = Murder::MUPDATE->connect($n, user => 'murder');
my $r = $s->start_update;
is($r->{status}, 'OK', 'UPDATE after the restart');
is_deeply($r->{items}, $before, 'the same list after the restart');
$w = Murder::MUPDATE->connect($n, user => 'murder');
is($w->cmd('DELETE', 'user.r1')->{status}, 'OK', 'DELETE after the restart');
is_deeply($s->read_item(5), ['DELETE', 'user.r1'], 'the reconnected subscriber gets it');

$n->stop;
done_testing;
