#!/usr/bin/perl
# master_update.t - UPDATE on the MUPDATE master: the initial list with
# the command's tag, then the tagged OK, then every committed change
# (RESERVE, MAILBOX, DELETE) as it happens; NOOP's OK comes after every
# change sent before it; only NOOP and LOGOUT on an UPDATE channel;
# PARTIAL-UPDATE (UPDATE server...) gets only those servers' entries.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node();
my $w = Murder::MUPDATE->connect($n, user => 'murder');
is($w->cmd('ACTIVATE', 'user.a', 'be1!default', "a\tlrs\t")->{status}, 'OK', 'seed a');
is($w->cmd('RESERVE', 'user.b', 'be2!default')->{status}, 'OK', 'seed b');
is($w->cmd('ACTIVATE', 'user.c', 'be2!p2', "c\tlrs\t")->{status}, 'OK', 'seed c');

# --- full UPDATE
my $s = Murder::MUPDATE->connect($n, user => 'bob');
my $r = $s->start_update;
is($r->{status}, 'OK', 'UPDATE: tagged OK after the list');
is_deeply($r->{items}, [['MAILBOX', 'user.a', 'be1!default', "a\tlrs\t"],
                        ['RESERVE', 'user.b', 'be2!default'],
                        ['MAILBOX', 'user.c', 'be2!p2', "c\tlrs\t"]],
          'the whole list, tagged with the UPDATE tag, in name order');

# --- partial UPDATE
my $p = Murder::MUPDATE->connect($n, user => 'bob');
$r = $p->start_update('be2');
is($r->{status}, 'OK', 'UPDATE "be2" ok');
is_deeply([map { $_->[1] } @{$r->{items}}], ['user.b', 'user.c'], 'only be2 entries listed');

# --- live changes
is($w->cmd('RESERVE', 'user.d', 'be1!default')->{status}, 'OK', 'RESERVE user.d');
is_deeply($s->read_item(5), ['RESERVE', 'user.d', 'be1!default'], 'subscriber: RESERVE streamed');
is($w->cmd('ACTIVATE', 'user.d', 'be1!default', "d\tlrs\t")->{status}, 'OK', 'ACTIVATE user.d');
is_deeply($s->read_item(5), ['MAILBOX', 'user.d', 'be1!default', "d\tlrs\t"],
          'subscriber: MAILBOX streamed');
is($w->cmd('DELETE', 'user.d')->{status}, 'OK', 'DELETE user.d');
is_deeply($s->read_item(5), ['DELETE', 'user.d'], 'subscriber: DELETE streamed');
is($w->cmd('DEACTIVATE', 'user.c', 'be2!p2')->{status}, 'OK', 'DEACTIVATE user.c');
is_deeply($s->read_item(5), ['RESERVE', 'user.c', 'be2!p2'], 'subscriber: RESERVE after DEACTIVATE');

# partial subscriber: be1-only changes were not sent; be2 ones and moves to be2 are
is($w->cmd('ACTIVATE', 'user.a', 'be2!default', "a\tlrs\t")->{status}, 'OK', 'move user.a to be2');
my $tag = $p->send_cmd('NOOP');
my @got;
while (my $i = $p->read_item(5)) {
    last if $i->[0] eq 'OK' && $i->[1] eq $tag;
    push @got, $i;
}
is_deeply(\@got, [['RESERVE', 'user.c', 'be2!p2'], ['MAILBOX', 'user.a', 'be2!default', "a\tlrs\t"]],
          'partial subscriber: only changes touching be2, then the NOOP OK');
$s->read_item(5);    # the move, for the full subscriber

# --- NOOP ordering: changes made while the subscriber did not read all
# come before its NOOP's OK
my $count = 200;
$w->send_raw(join('', map { "P$_ ACTIVATE \"user.n$_\" \"be1!default\" \"\"\r\n" } 1 .. $count));
my $acks = 0;
for (1 .. $count) {
    my $x = $w->read_response(10) or last;
    $acks++ if $x->{words}[1] eq 'OK';
}
is($acks, $count, "$count pipelined ACTIVATEs acknowledged");
$tag = $s->send_cmd('NOOP');
my ($seen, $before_ok) = (0, 0);
while (my $i = $s->read_item(10)) {
    if ($i->[0] eq 'OK' && $i->[1] eq $tag) { $before_ok = $seen; last }
    $seen++ if $i->[0] eq 'MAILBOX' && $i->[1] =~ /^user\.n\d+$/;
}
is($before_ok, $count, 'every change made before the NOOP came before its OK');

# --- only NOOP and LOGOUT while streaming
$r = $s->cmd('FIND', 'user.a');
is($r->{status}, 'BAD', 'FIND on an UPDATE channel: BAD');
$r = $s->cmd('UPDATE');
is($r->{status}, 'BAD', 'a second UPDATE: BAD');
is($s->cmd('LOGOUT')->{status}, 'OK', 'LOGOUT on an UPDATE channel');

# --- a NOOP pipelined behind UPDATE is answered once the list is out
my $q = Murder::MUPDATE->connect($n, user => 'bob');
$q->send_raw("U9 UPDATE\r\nN9 NOOP\r\n");
$q->{update_tag} = 'U9';
my @seq;
while (my $i = $q->read_item(5)) {
    push @seq, $i->[0] =~ /^(OK|NO|BAD)$/ ? "$i->[0] $i->[1]" : 'item';
    last if $i->[1] eq 'N9';
}
is_deeply([grep { $_ ne 'item' } @seq], ['OK U9', 'OK N9'],
          'pipelined UPDATE + NOOP: the list, its OK, then the NOOP OK');

# --- UPDATE requires authentication
my $anon = Murder::MUPDATE->connect($n);
is($anon->cmd('UPDATE')->{status}, 'NO', 'UPDATE before login: NO');

$n->stop;
done_testing;
