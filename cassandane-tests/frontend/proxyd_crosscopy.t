#!/usr/bin/perl
# proxyd_crosscopy.t - COPY and MOVE through the frontend to a mailbox on
# the other backend: FETCH + one MULTIAPPEND with COPYUID from the
# destination's APPENDUID; MOVE expunges exactly the moved source
# messages, after the APPEND committed.  The destination backend's imapd
# killed while the MULTIAPPEND streams in (crash point stage-synced:7),
# or the whole destination server killed then and kept away (so that
# nothing could be undone there), leaves the source untouched and no
# duplicates on the destination; so does a destination that died between
# the commit and its OK (the batch in doubt is found and removed).  More
# messages than a batch holds go in several; a destination without
# MULTIAPPEND, or one that answers a batch BAD (maxline below the
# batch's line), gets one APPEND per message; the first command after a
# backend's restart finds a fresh connection.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::Util;
use Murder::MurderBackend;
use Murder::RawIMAP;
use Murder::Xfer;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d proxyd pop3proxyd
                     lmtpproxyd ctl_mboxlist ctl_cyrusdb mbtool));

my $t = Murder::Xfer::murder(frontends => 1);
my ($b1, $b2, $f) = ($t->backend(0), $t->backend(1), $t->frontend(0));

like(Murder::MurderBackend::imap($b1, 'CREATE user/alice'), qr/^\S+ OK/, 'INBOX on backend1');
like(Murder::MurderBackend::imap($b2, 'CREATE user/alice/far'), qr/^\S+ OK/, 'far on backend2');
{
    my $c = Murder::Xfer::login($b2);
    like(scalar $c->cmd('SETACL user/alice/far alice lrswipkxtea'), qr/^\S+ OK/, 'alice owns far');
    $c->close;
}
Murder::Xfer::fill($b1, 'alice', 'INBOX', 6, 1200);
Murder::Xfer::fill($b1, 'alice', 'INBOX', 30, 150_000);

my $c = Murder::RawIMAP->connect($f);
like($c->login('alice', 'alice-pw'), qr/^\S+ OK/, 'alice at the frontend');

# lines - "size [flags]" per message of $box, through the frontend
sub lines {
    my ($box, $set) = @_;
    my ($ok, @u) = $c->cmd(qq{EXAMINE "$box"});
    my ($f_ok, @f) = $c->cmd('FETCH ' . ($set // '1:*') . ' (FLAGS RFC822.SIZE)');
    my @l;
    for (@f) {
        my ($fl) = /FLAGS \(([^)]*)\)/;
        my ($sz) = /RFC822\.SIZE (\d+)/;
        push @l, "$sz [" . join(' ', sort grep { $_ ne '\\Recent' } split / /, $fl // '') . ']'
            if defined $sz;
    }
    return @l;
}

my @src = lines('INBOX');
is(scalar(@src), 36, '36 messages in INBOX');
my @first3 = @src[0 .. 2];

like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX');
my $r = $c->cmd('COPY 1:3 far', 30);
like($r, qr/^\S+ OK \[COPYUID \d+ 1:3 1:3\]/, 'COPY to the other backend: COPYUID');
is_deeply([lines('far')], \@first3, 'far holds the three with their flags and sizes');
is(scalar(lines('INBOX')), 36, 'INBOX still has 36');

like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX again');
my ($mok, @mu) = $c->cmd('UID MOVE 4:5 far', 30);
like($mok, qr/^\S+ OK/, 'UID MOVE to the other backend');
ok(scalar(grep { /^\* OK \[COPYUID \d+ 4:5 4:5\]/ } @mu), 'untagged COPYUID') or diag(join "\n", @mu);
is(scalar(grep { /^\* \d+ EXPUNGE/ } @mu), 2, 'two EXPUNGEs');
is(scalar(lines('INBOX')), 34, 'INBOX has 34');
is(scalar(lines('far')), 5, 'far has 5');

# The 30 big ones (5:34) are staged one by one on backend2 as they
# stream in; crash point stage-synced:7 acts at the 7th, mid-command.
my @before_src = lines('INBOX');
my @before_far = lines('far');

# fault - restart backend2 with crash point stage-synced:7 (action
# $action: kill or stop), or without one
sub fault {
    my ($action) = @_;
    if ($action) {
        $b2->{env}{MAILBOX_FAULT_POINT} = 'stage-synced:7';
        $b2->{env}{MAILBOX_FAULT_ACTION} = $action;
    } else {
        delete $b2->{env}{$_} for qw(MAILBOX_FAULT_POINT MAILBOX_FAULT_ACTION);
    }
    $b2->restart;
}

# stopped_child - an imap child of backend2 frozen by SIGSTOP
sub stopped_child {
    for my $pid ($b2->child_pids('imap')) {
        my $st = Murder::Util::slurp("/proc/$pid/stat") // next;
        return $pid if $st =~ /^\d+ \(.*\) T /s;
    }
    return undef;
}

# backend2's imapd dies (kill -9) in the middle of the MOVE's MULTIAPPEND
fault('kill');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX for the big MOVE');
{
    my ($tagged, @u) = $c->cmd('MOVE 5:34 far', 60);
    like($tagged // 'EOF', qr/^\S+ NO \[UNAVAILABLE\]/, 'destination imapd killed mid-MOVE: NO [UNAVAILABLE]');
    ok(!grep({ /EXPUNGE/ } @u), 'nothing expunged');
}
fault(undef);
is_deeply([lines('INBOX')], \@before_src, 'source untouched');
is_deeply([lines('far')], \@before_far, 'no duplicates left on the destination');

# The whole destination server dies in the middle (its imapd frozen at the
# 7th message, then master and every child killed) and stays away: there
# is nothing to undo, since a MULTIAPPEND cut off never commits.
fault('stop');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX for the MOVE to a server that dies');
{
    my $tag = $c->next_tag;
    $c->send("$tag MOVE 5:34 far\r\n");
    ok(Murder::Util::wait_for(sub { stopped_child() }, 20), 'backend2 imapd frozen mid-MOVE');
    $b2->crash;
    my ($tagged, @u) = $c->until_tag($tag, 60);
    like($tagged // 'EOF', qr/^\S+ NO \[UNAVAILABLE\]/, 'backend2 gone: MOVE answers NO [UNAVAILABLE]');
    ok(!grep({ /EXPUNGE/ } @u), 'nothing expunged');
}
is_deeply([lines('INBOX')], \@before_src, 'source untouched');
ok(!$f->log_lines(qr/cross-server copy NOT undone/), 'no committed batch was left to undo');
fault(undef);
is_deeply([lines('far')], \@before_far, 'back up: no duplicates on the destination');

# Messages too big for the sockets to hold (4 x 12 MB): the frontend is
# still writing when the frozen destination is killed, so the write fails
# and the batch is abandoned before its end; nothing commits.
like(Murder::MurderBackend::imap($b1, 'CREATE user/alice/huge'), qr/^\S+ OK/, 'huge on backend1');
Murder::Xfer::fill($b1, 'alice', 'huge', 4, 12_000_000);
my @huge_far = lines('far');
$b2->{env}{MAILBOX_FAULT_POINT} = 'stage-synced:1';
$b2->{env}{MAILBOX_FAULT_ACTION} = 'stop';
$b2->restart;
like(scalar $c->cmd('SELECT huge'), qr/^\S+ OK/, 'SELECT huge');
{
    my $tag = $c->next_tag;
    $c->send("$tag COPY 1:4 far\r\n");
    ok(Murder::Util::wait_for(sub { stopped_child() }, 30), 'backend2 imapd frozen after the first');
    $b2->crash;
    my ($tagged) = $c->until_tag($tag, 60);
    like($tagged // 'EOF', qr/^\S+ NO \[UNAVAILABLE\]/, 'COPY answers NO [UNAVAILABLE]');
}
ok($f->wait_for_log(qr/batch abandoned before its end, nothing of it committed/, 5),
   'the frontend abandoned the batch mid-command');
fault(undef);
is_deeply([lines('far')], \@huge_far, 'nothing of it on the destination');

# The destination dies right after committing the MULTIAPPEND, before its
# OK (crash point append-committed): the batch is in doubt.  The undo
# finds it by sizes, internal dates and the last one's header and removes
# it.
@before_src = lines('INBOX');
@before_far = lines('far');
$b2->{env}{MAILBOX_FAULT_POINT} = 'append-committed';
$b2->{env}{MAILBOX_FAULT_ACTION} = 'kill';
$b2->restart;
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX for the in-doubt MOVE');
{
    my ($tagged, @u) = $c->cmd('MOVE 1:2 far', 60);
    like($tagged // 'EOF', qr/^\S+ NO /, 'MOVE answers NO: the destination died after its commit');
    ok(!grep({ /EXPUNGE/ } @u), 'nothing expunged');
}
ok($f->wait_for_log(qr/an unanswered APPEND had committed/, 10),
   'the frontend found the committed, unanswered APPEND');
fault(undef);
is_deeply([lines('INBOX')], \@before_src, 'source untouched');
is_deeply([lines('far')], \@before_far, 'the in-doubt batch was removed: no duplicates');

# More messages than one MULTIAPPEND takes (500, and 16 KB of command
# line): several batches, one COPYUID
like(Murder::MurderBackend::imap($b1, 'CREATE user/alice/bulk'), qr/^\S+ OK/, 'bulk on backend1');
like(Murder::MurderBackend::imap($b2, 'CREATE user/alice/far2'), qr/^\S+ OK/, 'far2 on backend2');
{
    my $a = Murder::Xfer::login($b2);
    like(scalar $a->cmd('SETACL user/alice/far2 alice lrswipkxtea'), qr/^\S+ OK/, 'alice owns far2');
    $a->close;
}
Murder::Xfer::fill($b1, 'alice', 'bulk', 620, 300);
my @bulk = lines('bulk');
is(scalar(@bulk), 620, '620 messages in bulk');
like(scalar $c->cmd('SELECT bulk'), qr/^\S+ OK/, 'SELECT bulk');
like(scalar $c->cmd('COPY 1:* far2', 60), qr/^\S+ OK \[COPYUID \d+ 1:620 1:620\]/,
     'COPY of 620 messages to the other backend: COPYUID names them all');
is_deeply([lines('far2')], \@bulk, 'far2 holds all 620 with their flags and sizes');
ok($f->wait_for_log(qr/cross-server COPY .*uids=<1:620> batches=<[2-5]>/, 5), '... in a few APPENDs');

# A destination that does not offer MULTIAPPEND gets one APPEND per message
$b2->{config}{suppress_capabilities} = 'MULTIAPPEND';
$b2->restart;
{
    my $d = Murder::Xfer::login($b2);
    my ($ok, @caps) = $d->cmd('CAPABILITY');
    ok(!grep({ /\bMULTIAPPEND\b/ } @caps) && grep({ /\bUIDPLUS\b/ } @caps),
       'backend2 no longer lists MULTIAPPEND (suppress_capabilities)') or diag(join "\n", @caps);
    $d->close;
}
{
    my ($ok) = $c->cmd('EXAMINE far');
    like($ok, qr/^\S+ OK/, 'the first command on backend2 after its restart works (the frontend reconnects)');
}
@before_far = lines('far');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX');
like(scalar $c->cmd('UID COPY 1:3 far', 30), qr/^\S+ OK \[COPYUID \d+ 1:3 \d+:\d+\]/,
     'COPY to a backend without MULTIAPPEND: COPYUID');
is(scalar(lines('far')), @before_far + 3, 'far has three more');
ok($f->wait_for_log(qr/cross-server COPY .*uids=<1:3> batches=<3>/, 5), '... in three APPENDs');

# A destination whose maxline (1024) is below the batch's command line
# answers BAD: nothing of it commits, and the frontend goes on one
# message per APPEND
$b2->{config}{maxline} = 1024;
delete $b2->{config}{suppress_capabilities};
$b2->restart;
@before_far = lines('far');
like(scalar $c->cmd('SELECT bulk'), qr/^\S+ OK/, 'SELECT bulk');
like(scalar $c->cmd('UID COPY 1:40 far', 60), qr/^\S+ OK \[COPYUID \d+ 1:40 \d+:\d+\]/,
     'COPY of 40 to a backend with maxline 1024: OK');
is(scalar(lines('far')), @before_far + 40, 'far has 40 more, no duplicates');
ok($f->wait_for_log(qr/batch of 40 refused, one message per APPEND/, 5), 'the batch was refused BAD');
ok($f->wait_for_log(qr/cross-server COPY .*uids=<1:40> batches=<40>/, 5), '... then 40 APPENDs');
$c->close;

done_testing();
