#!/usr/bin/perl
# xfer_selected_writes.t - a session that had a mailbox SELECTED before
# its move (XFER) began cannot change it any more: once the move has
# begun every write is refused, so nothing it is told OK is lost.
#  - the source holds the move after the dump (MURDER_XFER_PAUSE_MS, see
#    imap/xfer.h); meanwhile STORE, UID STORE (a new keyword), EXPUNGE,
#    UID EXPUNGE, MOVE, CLOSE's expunge and a non-owner's (per-user)
#    \Seen STORE from sessions that selected it before the XFER all get
#    NO [UNAVAILABLE]; FETCH still works;
#  - the move succeeds: backend2 has exactly the pre-move state, backend1
#    needed no DELETED.xfer.* copy (no "mailbox changed during XFER");
#    the selected session gets BYE at its next command (no tagged OK),
#    an IDLEing one gets BYE at once;
#  - a move that fails (backend2 down): during it the same NO, afterwards
#    STORE and EXPUNGE of the still-selected session work again.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::MurderBackend;
use Murder::Xfer;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb mbtool));

my $PAUSE_MS = 4000;
my $t = Murder::Xfer::murder();
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
my $srv2 = $b2->servername;
sub imap { Murder::MurderBackend::imap(@_) }
sub login { Murder::Xfer::login($_[0], 'alice') }
sub local_entry { Murder::MurderBackend::local_list($b1)->{$_[0]} // '' }

$b1->{env}{MURDER_XFER_PAUSE_MS} = $PAUSE_MS;
$b1->restart;

like(imap($b1, "CREATE user/alice$_"), qr/^\S+ OK/, "CREATE user/alice$_")
    for '', '/sel', '/stay';
Murder::Xfer::fill($b1, 'alice', $_, 4, 1000) for qw(sel stay);

# selected - a session of alice with $folder selected
sub selected {
    my ($folder) = @_;
    my $c = login($b1);
    like(scalar $c->cmd("SELECT $folder"), qr/^\S+ OK/, "a session selects $folder");
    return $c;
}

# start_xfer - send XFER of $folder to backend2 on a new session and wait
# until the source holds the move (MOVING, dumped, not yet sent)
sub start_xfer {
    my ($folder, $name) = @_;
    my $x = login($b1);
    my $tag = $x->next_tag;
    $x->send(qq{$tag XFER $folder "$srv2"\r\n});
    ok($b1->wait_for_log(qr/XFER test pause mailbox=<\Q$name\E>/, 20),
       "$folder: the move is held after the dump");
    like(local_entry($name), qr/ t=\d+:[a-z]*m/, "$folder: its entry is MOVING meanwhile");
    return ($x, $tag);
}

# refused - the writes a selected session may try during the move
sub refused {
    my ($c, $what) = @_;
    my $no = qr/^\S+ NO \[UNAVAILABLE\] /;
    like(scalar $c->cmd('STORE 1 +FLAGS (\\Flagged)'), $no, "$what: STORE refused");
    like(scalar $c->cmd('UID STORE 1:* +FLAGS ($Late)'), $no,
         "$what: UID STORE of a new keyword refused");
    like(scalar $c->cmd('EXPUNGE'), $no, "$what: EXPUNGE refused");
    like(scalar $c->cmd('UID EXPUNGE 1:*'), $no, "$what: UID EXPUNGE refused");
    like(scalar $c->cmd('MOVE 3 INBOX'), $no, "$what: MOVE refused");
    like(scalar $c->cmd('FETCH 1 (FLAGS BODY.PEEK[])'), qr/^\S+ OK/,
         "$what: FETCH still answered");
}

# pre_move - message 2 of $folder gets \Deleted (what EXPUNGE would
# remove); the snapshot of $name then
sub pre_move {
    my ($folder, $name) = @_;
    my $c = selected($folder);
    like(scalar $c->cmd('STORE 2 +FLAGS (\\Deleted)'), qr/^\S+ OK/,
         "before the move: message 2 of $folder gets \\Deleted");
    $c->close;
    my $snap = Murder::Xfer::snapshot($b1, $name);
    like($snap, qr/\n2 \[[^\]]*\\Deleted/, "the pre-move state of $folder has 2 \\Deleted");
    return $snap;
}

# --- 1. the move succeeds --------------------------------------------
like(imap($b1, 'SETACL user/alice/sel admin lrsw'), qr/^\S+ OK/,
     'the admin may read and flag alice\'s sel (its \\Seen is per user)');
my $before = pre_move('sel', 'user.alice.sel');
my $other = Murder::MurderBackend::admin($b1);
like(scalar $other->cmd('SELECT user/alice/sel'), qr/^\S+ OK/, 'the admin selects it too');

my $s = selected('sel');
my $closer = selected('sel');
my $idler = selected('sel');
$idler->send("i1 IDLE\r\n");
like($idler->line(10) // 'EOF', qr/^\+ /, 'a third one IDLEs');

my ($x, $xtag) = start_xfer('sel', 'user.alice.sel');
refused($s, 'during the move');
like(scalar $other->cmd('STORE 1 +FLAGS (\\Seen)'), qr/^\S+ NO \[UNAVAILABLE\] /,
     'during the move: a per-user \\Seen STORE is refused the same way');
$other->close;
like(scalar $closer->cmd('CLOSE'), qr/^\S+ NO \[UNAVAILABLE\] /,
     "during the move: CLOSE does not claim its expunge");
like(scalar $x->until_tag($xtag, 40) // 'EOF', qr/^\S+ OK /, 'the XFER succeeds');
$x->close;

is(Murder::Xfer::snapshot($b2, 'user.alice.sel'), $before,
   'backend2 has exactly the pre-move state');
ok(!exists Murder::MurderBackend::local_list($b1)->{'user.alice.sel'},
   'backend1 no longer has it');
ok(!grep({ /^DELETED\.xfer\./ } keys %{Murder::MurderBackend::local_list($b1)}),
   'no DELETED.xfer.* copy was kept aside');
is(scalar($b1->log_lines(qr/mailbox changed during XFER/)), 0,
   'the log has no "mailbox changed during XFER"');
like(Murder::Xfer::snapshot($b1, 'user.alice'), qr/^uidvalidity=\d+$/,
     'the refused MOVE copied nothing into INBOX');

# the sessions that still had it selected learn that it is gone
{
    my $tag = $s->next_tag;
    $s->send("$tag NOOP\r\n");
    my ($tagged, @u) = $s->until_tag($tag, 10);
    ok(scalar(grep { /^\* BYE / } @u), 'the selected session gets BYE at its next command')
        or diag(join(' | ', @u));
    ok(!defined $tagged, 'and no tagged OK about the gone mailbox')
        or diag($tagged);
    ok($s->at_eof(5), 'then the connection closes');
    $s->close;
}
like($idler->line(10) // 'EOF', qr/^\* BYE /, 'the IDLEing session gets BYE');
$idler->close;
$closer->close;

# --- 2. the move fails (backend2 down) --------------------------------
my $stay_before = pre_move('stay', 'user.alice.stay');
$s = selected('stay');
$b2->stop;
($x, $xtag) = start_xfer('stay', 'user.alice.stay');
refused($s, 'during the failing move');
like(scalar $x->until_tag($xtag, 40) // 'EOF', qr/^\S+ NO \[UNAVAILABLE\] /,
     'the XFER fails: backend2 is down');
$x->close;
like(local_entry('user.alice.stay'), qr/ t=0: /, 'stay is served here again (not MOVING)');
is(Murder::Xfer::snapshot($b1, 'user.alice.stay'), $stay_before,
   'the refused writes changed nothing');
{
    my ($ok, @u) = $s->cmd('STORE 1 +FLAGS (\\Flagged \\Deleted)');
    like($ok // 'EOF', qr/^\S+ OK/, 'after the failed move STORE works again');
    ok(scalar(grep { /^\* 1 FETCH .*\\Flagged/ } @u), 'and reports the new flags');
    ($ok, @u) = $s->cmd('EXPUNGE');
    like($ok // 'EOF', qr/^\S+ OK/, 'EXPUNGE works again');
    is(join(' ', grep { /EXPUNGE/ } @u), '* 2 EXPUNGE * 1 EXPUNGE',
       'and expunges messages 1 and 2');
    like(scalar $s->cmd('NOOP'), qr/^\S+ OK/, 'the session goes on normally');
    $s->close;
}

done_testing();
