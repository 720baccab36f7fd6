#!/usr/bin/perl
# master_group_commit.t - the master commits the changes of one loop
# iteration together: four writers pipelining RESERVE+ACTIVATE are all
# answered OK, in each one's command order, and the subscriber sees every
# change; the process logs fewer commits than changes.  Within one batch
# a second RESERVE of a name is refused, and a FIND pipelined behind a
# change answers after it with its result.  A failed commit (fault
# injection: MUPDATE_FAULT_COMMIT_FILE exists) answers every change of
# the batch NO and changes nothing, neither in memory nor for
# subscribers nor on disk; once the fault is gone the same changes work.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node(no_start => 1);
my $fault = Murder::Instance::test_dir() . '/fail-commit';
$n->{env}{MUPDATE_FAULT_COMMIT_FILE} = $fault;
$n->start;

# pipeline - send every command of @cmds in one write, then collect the
# answers: [[tag, status, text, items]...] in the order they arrived
sub pipeline {
    my ($c, @cmds) = @_;
    my (@tags, $data);
    for my $cmd (@cmds) {
        my $tag = $c->next_tag;
        push @tags, $tag;
        $data .= join(' ', $tag, $cmd->[0], map { Murder::MUPDATE::quote($_) } @$cmd[1 .. $#$cmd]) . "\r\n";
    }
    $c->send_raw($data) or die "send: $!";
    my (@done, %items);
    while (@done < @tags) {
        my $r = $c->read_response(15) or last;
        my ($tag, $word, @args) = @{$r->{words}};
        if ($word =~ /^(OK|NO|BAD)$/) {
            push @done, [$tag, $word, $args[0], $items{$tag} // []];
        } else {
            push @{$items{$tag}}, [$word, @args];
        }
    }
    return (\@tags, \@done);
}

my $sub = Murder::MUPDATE->connect($n, user => 'admin');
is($sub->start_update->{status}, 'OK', 'subscriber: empty initial list');

# --- four writers, pipelined
my @w = map { Murder::MUPDATE->connect($n, user => 'murder') } 1 .. 4;
my @sent;
for my $i (0 .. 3) {
    my $data = '';
    my @tags;
    for my $j (1 .. 50) {
        my $name = sprintf('user.w%d_%02d', $i, $j);
        for my $cmd (['RESERVE', $name, 'be1!default'],
                     ['ACTIVATE', $name, 'be1!default', "w\tlrs\t"]) {
            my $tag = $w[$i]->next_tag;
            push @tags, $tag;
            $data .= join(' ', $tag, $cmd->[0],
                          map { Murder::MUPDATE::quote($_) } @$cmd[1 .. $#$cmd]) . "\r\n";
        }
    }
    $sent[$i] = \@tags;
    $w[$i]->send_raw($data);
}
for my $i (0 .. 3) {
    my @got;
    while (@got < @{$sent[$i]}) {
        my $r = $w[$i]->read_response(15) or last;
        push @got, $r->{words};
    }
    is_deeply([map { $_->[0] } @got], $sent[$i], "writer $i: answers in command order");
    is(scalar(grep { $_->[1] eq 'OK' } @got), 100, "writer $i: 100 OK");
}
my %seen;
while (keys %seen < 200) {
    my $item = $sub->read_item(5) or last;
    $seen{$item->[1]} = $item->[0] if $item->[0] eq 'MAILBOX';
}
is(scalar keys %seen, 200, 'the subscriber saw all 200 activations');

# --- inside one batch: a second RESERVE conflicts, FIND waits for the change
my ($tags, $done) = pipeline($w[0],
    ['RESERVE', 'user.same', 'be1!default'],
    ['RESERVE', 'user.same', 'be2!default'],
    ['FIND', 'user.same'],
    ['RESERVE', 'user.gone', 'be1!default'],
    ['DELETE', 'user.gone'],
    ['FIND', 'user.gone'],
    ['DEACTIVATE', 'user.nothere', 'be1!default']);
is_deeply([map { $_->[0] } @$done], $tags, 'pipelined answers in command order');
is_deeply([map { $_->[1] } @$done], [qw(OK NO OK OK OK OK NO)], '... with the expected results');
like($done->[1][2], qr/exists.*reserved.*be1!default/, 'second RESERVE: names the first');
is_deeply($done->[2][3], [['RESERVE', 'user.same', 'be1!default']], 'FIND sees the change before it');
is_deeply($done->[5][3], [], 'FIND after RESERVE+DELETE: nothing');
is_deeply([map { my $i = $sub->read_item(5) // []; "@$i[0, 1]" } 1 .. 3],
          ['RESERVE user.same', 'RESERVE user.gone', 'DELETE user.gone'],
          'the subscriber got the three changes in order');

# --- a failed commit: every change NO, nothing changed
open(my $fh, '>', $fault) or die "$fault: $!";
close($fh);
my @cmds = (['RESERVE', 'user.f1', 'be1!default'],
            ['ACTIVATE', 'user.f2', 'be1!default', "f\tlrs\t"],
            ['ACTIVATE', 'user.w0_01', 'be9!default', "x\tlrs\t"],
            ['DELETE', 'user.w1_01']);
($tags, $done) = pipeline($w[1], @cmds);
my ($tags2, $done2) = pipeline($w[2], ['DELETE', 'user.w2_01'], ['RESERVE', 'user.f3', 'be1!default']);
is_deeply([map { $_->[1] } @$done, @$done2], [('NO') x 6], 'commit failed: every change NO');
like($done->[0][2], qr/TEMP/, '... a temporary failure');
ok($n->wait_for_log(qr/mupdate commit fails: fault injection/, 5), 'the failed commit is logged');
my $f = $w[3]->cmd('FIND', 'user.w0_01');
is($f->{items}[0][2], 'be1!default', 'memory unchanged: old location');
is($w[3]->cmd('FIND', 'user.w1_01')->{items}[0][0], 'MAILBOX', 'memory unchanged: not deleted');
is_deeply($w[3]->cmd('FIND', 'user.f1')->{items}, [], 'memory unchanged: no reservation');
is($sub->read_item(0.5), undef, 'the subscriber was told nothing');

unlink($fault);
($tags, $done) = pipeline($w[1], @cmds);
is_deeply([map { $_->[1] } @$done], [('OK') x 4], 'fault gone: the same changes OK');
my @items = map { $sub->read_item(5) } 1 .. 4;
is_deeply([map { "$_->[0] $_->[1]" } @items],
          ['RESERVE user.f1', 'MAILBOX user.f2', 'MAILBOX user.w0_01', 'DELETE user.w1_01'],
          '... and the subscriber got them in order');

# --- on disk: what was acknowledged, nothing of the failed batch
$_->close for @w, $sub;
$n->stop;
my ($line) = $n->log_lines(qr/mupdate master stopping .* commits=<\d+> changes=<\d+>/);
my ($commits, $changes) = ($line // '') =~ /commits=<(\d+)> changes=<(\d+)>/;
is($changes, 407, 'changes counted') or diag($line);
cmp_ok($commits, '<', $changes / 2, "grouped: $changes changes in $commits commits");
$n->start;
my $c = Murder::MUPDATE->connect($n, user => 'admin');
my %now = map { $_->[1] => $_ } @{$c->cmd('LIST')->{items}};
is($now{'user.w0_01'}[2], 'be9!default', 'after restart: the retried ACTIVATE');
ok(!$now{'user.w1_01'} && $now{'user.w2_01'}, 'after restart: only the acknowledged DELETE');
ok($now{'user.f1'} && !$now{'user.f3'}, 'after restart: only the acknowledged RESERVE');
is(scalar keys %now, 200 + 1 + 2 - 1, 'after restart: the whole list');
$c->close;
$n->stop;
done_testing;
