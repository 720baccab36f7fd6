#!/usr/bin/perl
# seen_per_user.t - \Seen is per user outside the user's own mailboxes
# (as Cyrus): alice and bob share a mailbox; each one's STORE \Seen and
# FETCH BODY[] change only that user's view, as FETCH FLAGS, SEARCH
# SEEN/UNSEEN, STATUS UNSEEN and SELECT's [UNSEEN n] show.  In alice's own
# folder shared with bob, alice's \Seen is the index's and bob's his own.
# A second session of the same user gets untagged FETCH FLAGS for the
# first one's \Seen changes (NOOP and IDLE); FLAGS replace keeps the
# other flags shared.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node();
my $S = $Murder::MsgIMAP::SEP;
my $adm = Murder::MsgIMAP::client($n, 'admin');
like(scalar $adm->cmd('CREATE shared'), qr/^\S+ OK/, 'admin creates a shared mailbox');
$adm->cmd("SETACL shared $_ lrswite") for qw(alice bob);

# what users call it (the shared namespace, NAMESPACE's third part)
my $sh = "\"Shared Folders${S}shared\"";
my $al = Murder::MsgIMAP::client($n, 'alice');
like(Murder::MsgIMAP::append($al, $sh, Murder::MsgIMAP::msg("Subject: s$_\n\nbody $_\n")),
     qr/^\S+ OK/, "alice appends $_") for 1 .. 4;
Murder::MsgIMAP::cmd($al, "SELECT $sh");
my $bob = Murder::MsgIMAP::client($n, 'bob', $sh);

# flags_of - "n:flags n:flags ..." from a FETCH FLAGS; the last word on
# each message counts (another user's change is reported after the
# answer, from the refreshed snapshot)
sub flags_of {
    my ($c, $set) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, "FETCH $set FLAGS");
    my %f;
    for (@u) {
        $f{$1} = $2 if /^\* (\d+) FETCH \(FLAGS \(([^)]*)\)/;
    }
    return join(' ', map { "$_:$f{$_}" } sort { $a <=> $b } keys %f);
}
# search - the numbers a SEARCH answers
sub search {
    my ($c, $keys) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, "SEARCH $keys");
    my ($l) = grep { /^\* SEARCH/ } @u;
    return join(' ', ($l // '') =~ /(\d+)/g);
}
# unseen - STATUS UNSEEN of $box for $c
sub unseen {
    my ($c, $box) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, "STATUS $box (UNSEEN)");
    return join('', @u) =~ /UNSEEN (\d+)/ ? $1 : 'none';
}

my ($ok, @u) = Murder::MsgIMAP::cmd($al, 'STORE 1,2 +FLAGS (\Seen)');
ok((grep { /^\* 1 FETCH \(FLAGS \(\\Seen\)\)/ } @u), 'alice STORE answers with her \Seen');
is(flags_of($al, '1:4'), '1:\Seen 2:\Seen 3: 4:', 'alice sees her \Seen');
is(flags_of($bob, '1:4'), '1: 2: 3: 4:', 'bob does not see alice\'s \Seen');
Murder::MsgIMAP::cmd($bob, 'FETCH 4 BODY[TEXT]');
is(flags_of($bob, '1:4'), '1: 2: 3: 4:\Seen', 'bob FETCH BODY[] sets his \Seen');
is(flags_of($al, '4'), '4:', 'not alice\'s');
is(search($al, 'SEEN'), '1 2', 'alice SEARCH SEEN');
is(search($bob, 'UNSEEN'), '1 2 3', 'bob SEARCH UNSEEN');
is(unseen($adm, 'shared'), 4, 'the admin (a third user) has seen nothing');
my $al2 = Murder::MsgIMAP::client($n, 'alice');
is(unseen($al2, $sh), 2, 'STATUS UNSEEN: alice 2');
my $bob2 = Murder::MsgIMAP::client($n, 'bob');
is(unseen($bob2, $sh), 3, 'STATUS UNSEEN: bob 3');
($ok, @u) = Murder::MsgIMAP::cmd($al2, "EXAMINE $sh");
ok((grep { /^\* OK \[UNSEEN 3\]/ } @u), 'alice SELECT: [UNSEEN 3]');
($ok, @u) = Murder::MsgIMAP::cmd($bob2, "SELECT $sh");
ok((grep { /^\* OK \[UNSEEN 1\]/ } @u), 'bob SELECT: [UNSEEN 1]');

# a second session of bob sees bob's changes, on NOOP and in IDLE
Murder::MsgIMAP::cmd($bob, 'STORE 1 +FLAGS.SILENT (\Seen)');
($ok, @u) = Murder::MsgIMAP::cmd($bob2, 'NOOP');
ok((grep { /^\* 1 FETCH \(FLAGS \(\\Seen\)/ } @u), 'bob\'s other session: FETCH FLAGS on NOOP')
    or diag explain \@u;
my $tag = $bob2->next_tag;
$bob2->send("$tag IDLE\r\n");
like($bob2->line(5) // '', qr/^\+/, 'IDLE');
Murder::MsgIMAP::cmd($bob, 'STORE 1 -FLAGS.SILENT (\Seen)');
# a repeat of the state bob2 already has may come first (a modseq bump
# makes another FETCH legal, RFC 7162 3.2.4): wait for the change itself
my $removal = '';
for (1 .. 5) {
    $removal = $bob2->line(5) // last;
    last if $removal =~ /^\* 1 FETCH \(FLAGS \(\)/;
}
like($removal, qr/^\* 1 FETCH \(FLAGS \(\)/, 'IDLE: bob\'s \Seen removal arrives');
$bob2->send("DONE\r\n");
like(scalar $bob2->until_tag($tag, 5), qr/^\S+ OK/, 'IDLE done');
# and alice's session is not told of bob's \Seen (the new modseq of
# bob's change may bring her a FETCH with her own flags, as Cyrus)
($ok, @u) = Murder::MsgIMAP::cmd($al, 'NOOP');
ok(!(grep { /^\* 1 FETCH/ && !/\\Seen/ } @u),
   'alice is not told of bob\'s \Seen (1 stays seen for her)')
    or diag explain \@u;

# other flags stay shared; FLAGS replace splits
Murder::MsgIMAP::cmd($bob, 'STORE 2 FLAGS (\Flagged \Seen)');
is(flags_of($bob, '2'), '2:\Flagged \Seen', 'bob FLAGS replace');
is(flags_of($al, '2'), '2:\Flagged \Seen', 'alice sees \Flagged, and her own \Seen');
Murder::MsgIMAP::cmd($bob, 'STORE 2 FLAGS ()');
is(flags_of($al, '2'), '2:\Seen', 'bob FLAGS () cleared \Flagged, not alice\'s \Seen');

# alice's own folder shared with bob: alice's \Seen is the index's
$al2->cmd("CREATE mine");
$al2->cmd("SETACL mine bob lrs");
Murder::MsgIMAP::append($al2, 'mine', Murder::MsgIMAP::msg("Subject: m\n\nx\n"), '\Seen');
my $ob = "\"Other Users${S}alice${S}mine\"";
($ok) = Murder::MsgIMAP::cmd($bob2, "SELECT $ob");
like($ok, qr/^\S+ OK/, 'bob selects alice\'s folder');
is(flags_of($bob2, '1'), '1:', 'bob: owner\'s \Seen is not his');
Murder::MsgIMAP::cmd($bob2, 'STORE 1 +FLAGS (\Seen)');
Murder::MsgIMAP::cmd($al2, 'SELECT mine');
Murder::MsgIMAP::cmd($al2, 'STORE 1 -FLAGS (\Seen)');
is(flags_of($al2, '1'), '1:', 'alice (owner) cleared her \Seen');
is(flags_of($bob2, '1'), '1:\Seen', 'bob keeps his');
$n->stop;
done_testing;
