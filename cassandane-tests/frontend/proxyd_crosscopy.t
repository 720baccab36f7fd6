#!/usr/bin/perl
# proxyd_crosscopy.t - COPY and MOVE through the frontend to a mailbox on
# the other backend: FETCH + APPEND with COPYUID from the destination's
# APPENDUIDs; MOVE expunges exactly the moved source messages, after all
# APPENDs.  Killing the destination backend's imapd (kill -9) in the
# middle of a MOVE leaves the source untouched and no duplicates on the
# destination, also when it died between an APPEND's commit and its OK.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Time::HiRes qw(sleep time);
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
like($r, qr/^\S+ OK \[COPYUID \d+ 1,2,3 1,2,3\]/, 'COPY to the other backend: COPYUID');
is_deeply([lines('far')], \@first3, 'far holds the three with their flags and sizes');
is(scalar(lines('INBOX')), 36, 'INBOX still has 36');

like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX again');
my ($mok, @mu) = $c->cmd('UID MOVE 4:5 far', 30);
like($mok, qr/^\S+ OK/, 'UID MOVE to the other backend');
ok(scalar(grep { /^\* OK \[COPYUID \d+ 4,5 4,5\]/ } @mu), 'untagged COPYUID') or diag(join "\n", @mu);
is(scalar(grep { /^\* \d+ EXPUNGE/ } @mu), 2, 'two EXPUNGEs');
is(scalar(lines('INBOX')), 34, 'INBOX has 34');
is(scalar(lines('far')), 5, 'far has 5');

# kill -9 of backend2's imapd in the middle of a MOVE of the 30 big ones
my @before_src = lines('INBOX');
my @before_far = lines('far');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX for the big MOVE');
{
    my $dir = $b2->imapd_option('partition-default') . '/user/alice/far';
    my $tag = $c->next_tag;
    $c->send("$tag MOVE 5:34 far\r\n");
    my ($killed, $deadline) = (0, time() + 20);
    while (!$killed && time() < $deadline) {
        opendir(my $dh, $dir) or last;
        my $n = grep { /^\d+\.$/ } readdir($dh);
        closedir($dh);
        if ($n >= 7) {
            $killed = kill('KILL', $b2->child_pids('imap'));
        } else {
            sleep(0.005);
        }
    }
    ok($killed, 'backend2 imapd killed during the MOVE');
    my ($tagged, @u) = $c->until_tag($tag, 60);
    like($tagged // 'EOF', qr/^\S+ NO /, 'MOVE answers NO');
    ok(!grep({ /EXPUNGE/ } @u), 'nothing expunged');
}
is_deeply([lines('INBOX')], \@before_src, 'source untouched');
is_deeply([lines('far')], \@before_far, 'no duplicates left on the destination');

# The destination dies right after committing an APPEND, before its OK
# (crash point append-committed): that APPEND is in doubt.  The undo finds
# the message by size, internal date and header and removes it.
@before_src = lines('INBOX');
@before_far = lines('far');
$b2->{env}{MAILBOX_FAULT_POINT} = 'append-committed';
$b2->restart;
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT INBOX for the in-doubt MOVE');
{
    my ($tagged, @u) = $c->cmd('MOVE 1:2 far', 60);
    like($tagged // 'EOF', qr/^\S+ NO /, 'MOVE answers NO: the destination died after its commit');
    ok(!grep({ /EXPUNGE/ } @u), 'nothing expunged');
}
ok($f->wait_for_log(qr/an unanswered APPEND had committed/, 10),
   'the frontend found the committed, unanswered APPEND');
delete $b2->{env}{MAILBOX_FAULT_POINT};
$b2->restart;
is_deeply([lines('INBOX')], \@before_src, 'source untouched');
is_deeply([lines('far')], \@before_far, 'the in-doubt message was removed: no duplicate');
$c->close;

done_testing();
