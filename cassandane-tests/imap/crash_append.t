#!/usr/bin/perl
# crash_append.t - APPEND survives kill -9.  First at each named write
# point of an append (MAILBOX_FAULT_POINT makes imapd SIGKILL itself
# there), then with random timing: writers APPEND messages of random
# size concurrently while the test kill -9s imapd children mid-stream and
# finally master with all its children.  After a restart every APPEND
# that got its tagged OK [APPENDUID] is present under that UID and
# byte-identical (FETCH BODY[]); every present message is complete and one
# the test sent (none half-visible); a message killed at append-committed
# is kept; and reconstruct finds nothing to fix.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::RawIMAP;
use Murder::LMTP;
use Murder::Util qw(wait_for);
use POSIX ();
use Time::HiRes qw(sleep time);

skip_unless_built(qw(master imapd reconstruct));

$SIG{PIPE} = 'IGNORE';
my $n = Murder::Instance->new(name => 'imapd', services => [
    { name => 'imap', cmd => 'imapd', prefork => 1 },
], config => { sasl_mech_list => 'PLAIN LOGIN' });
$n->create_user(alice => 'alice-pw');
$n->create_user(admin => 'admin-pw');
$n->start;
{
    my $a = Murder::RawIMAP->connect($n);
    like($a->login('admin', 'admin-pw'), qr/^\S+ OK/, 'admin login');
    like(scalar $a->cmd('CREATE user/alice'), qr/^\S+ OK/, 'create user/alice');
    $a->close;
}

# message - the exact bytes of message $id (its size is part of the id,
# so the checker can rebuild it): headers, then numbered lines.
sub message {
    my ($id) = @_;
    my ($size) = $id =~ /-(\d+)$/;
    my $m = "From: crash\@example.com\r\nSubject: crash test $id\r\n"
          . "X-Test-Id: $id\r\n\r\n";
    my $i = 0;
    $m .= sprintf("%s line %06d %s\r\n", $id, $i++, 'x' x 40) while length($m) < $size;
    return $m;
}

# append - APPEND $id to INBOX (non-synchronizing literal, sent in
# chunks); the APPENDUID uid on a tagged OK, else undef.
sub append {
    my ($c, $id) = @_;
    my $m = message($id);
    my $tag = $c->next_tag;
    $c->send("$tag APPEND INBOX {" . length($m) . "+}\r\n") or return undef;
    for (my $o = 0; $o < length $m; $o += 16384) {
        $c->send(substr($m, $o, 16384)) or return undef;
    }
    $c->send("\r\n") or return undef;
    my $ok = $c->until_tag($tag, 15) // return undef;
    return $ok =~ /^\Q$tag\E OK \[APPENDUID \d+ (\d+)\]/ ? $1 : undef;
}

sub client {
    my $c = eval { Murder::RawIMAP->connect($n, timeout => 15) } or return undef;
    return undef unless ($c->login('alice', 'alice-pw') // '') =~ /^\S+ OK/;
    return $c;
}

# fetch_all - { uid => bytes } of every message in INBOX.
sub fetch_all {
    my $c = client() or return undef;
    my ($ok) = $c->cmd('SELECT INBOX');
    return undef unless $ok && $ok =~ /^\S+ OK/;
    my $tag = $c->next_tag;
    $c->send("$tag UID FETCH 1:* (UID BODY.PEEK[])\r\n");
    my %got;
    while (defined(my $l = $c->line(15))) {
        last if $l =~ /^\Q$tag\E /;
        next unless $l =~ /^\* \d+ FETCH \((.*)\{(\d+)\}$/;
        my ($pre, $len) = ($1, $2);
        my $body = '';
        while (length $body < $len) {
            my $r = sysread($c->sock, $body, $len - length $body, length $body);
            return undef unless $r;
        }
        my $rest = $c->line(15) // '';
        my ($uid) = "$pre $rest" =~ /UID (\d+)/;
        $got{$uid} = $body;
    }
    $c->close;
    return \%got;
}

my %acked;      # uid => id: APPENDs that got a tagged OK
my %sent;       # id => 1: every message the test sent (or began to send)

# --- 1. kill -9 at each write point ---------------------------------------
my @points = qw(stage-synced append-locked append-linked append-dir-synced
                append-cache-written append-records-written
                commit-records-synced commit-header-written append-committed);
{
    my $c = client();
    for my $i (1 .. 3) {
        my $id = "pre$i-" . (500 + 700 * $i);
        $sent{$id} = 1;
        my $uid = append($c, $id);
        ok($uid, "append $id before the faults");
        $acked{$uid} = $id if $uid;
    }
    $c->close;
}
my %point_id;
for my $p (@points) {
    # Murder::Instance passes {env} to master, which children inherit.
    $n->{env}{MAILBOX_FAULT_POINT} = $p;
    $n->restart;
    my $c = client();
    ok($c, "login with the fault at $p");
    my $id = "fault-$p-" . (3000 + length $p);
    $sent{$id} = 1;
    $point_id{$p} = $id;
    my $pid = ($n->child_pids('imap'))[0];
    $n->allow_crash($n->child_pids('imap'));
    my $uid = $c ? append($c, $id) : undef;
    ok(!defined $uid, "killed at $p: no tagged OK");
    $acked{$uid} = $id if $uid;
}
delete $n->{env}{MAILBOX_FAULT_POINT};
$n->restart;
{
    my $got = fetch_all();
    ok($got, 'mailbox readable after the fault points');
    my %by_id = map { (message_id($got->{$_}) // '') => $_ } keys %{$got // {}};
    ok($by_id{$point_id{'append-committed'}},
       'killed after append-committed: the message is kept');
    for my $p (@points) {
        note("$p: " . ($by_id{$point_id{$p}} ? 'visible' : 'not visible'));
    }
}

sub message_id {
    my ($m) = @_;
    return $m =~ /^X-Test-Id: (\S+)\r$/m ? $1 : undef;
}

# --- 2. random timing: kill -9 children mid-APPEND, then master -----------
my $dir = Murder::Instance::test_dir() . '/writers';
mkdir $dir;
my $stop = "$dir/stop";
my @writers;
for my $w (1 .. 4) {
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        $SIG{ALRM} = 'DEFAULT';
        alarm(50);
        srand($$ ^ time());
        open(my $log, '>', "$dir/w$w.log") or POSIX::_exit(1);
        $log->autoflush(1);
        my $seq = 0;
        my $c;
        while (!-e $stop) {
            $c //= client();
            if (!$c) { sleep(0.05); next }
            my $id = sprintf('w%d-%d-%d', $w, ++$seq, 200 + int(rand(rand() < 0.3 ? 400_000 : 20_000)));
            print $log "SENT $id\n";
            my $uid = append($c, $id);
            if (defined $uid) {
                print $log "ACK $id $uid\n";
            } else {
                $c->close;
                undef $c;
            }
        }
        POSIX::_exit(0);
    }
    push @writers, $pid;
}
my $kills = 0;
for my $round (1 .. 8) {
    sleep(0.15 + rand(0.35));
    my @kids = $n->child_pids('imap');
    next unless @kids;
    my $victim = $kids[int rand @kids];
    $n->allow_crash($victim);
    $kills += kill('KILL', $victim);
}
ok($kills >= 4, "killed $kills imapd children mid-load");
sleep(0.2 + rand(0.3));
{
    my $m = $n->pid;
    $n->allow_crash($n->all_children);
    ok(kill('KILL', -$m), 'kill -9 master and all its children (process group)');
    ok(wait_for(sub { $n->master_gone }, 5), 'master gone');
}
{ open(my $sf, '>', $stop) or die "$stop: $!"; close($sf) }
waitpid($_, 0) for @writers;
$n->stop;
$n->start;

for my $w (1 .. 4) {
    open(my $log, '<', "$dir/w$w.log") or next;
    while (<$log>) {
        $sent{$1} = 1 if /^SENT (\S+)$/;
        $acked{$2} = $1 if /^ACK (\S+) (\d+)$/;
    }
}
# one clean APPEND after the crashes: a committed write reuses the place
# of any uncommitted file the crash left behind
{
    my $c = client();
    my $id = 'post-1234';
    $sent{$id} = 1;
    my $uid = append($c, $id);
    ok($uid, 'append after the crashes');
    $acked{$uid} = $id if $uid;
    $c->close;
}
note(scalar(keys %sent) . ' messages sent, ' . scalar(keys %acked) . ' acknowledged');
cmp_ok(scalar(keys %acked), '>', 10, 'enough acknowledged appends');

my $got = fetch_all();
ok($got, 'mailbox readable after the crashes');
$got //= {};
my ($missing, $wrong, $alien, $bad) = (0, 0, 0, 0);
for my $uid (sort { $a <=> $b } keys %acked) {
    my $m = $got->{$uid};
    if (!defined $m) {
        $missing++;
        diag("acknowledged UID $uid ($acked{$uid}) missing");
    } elsif ($m ne message($acked{$uid})) {
        $wrong++;
        diag("UID $uid is not the bytes of $acked{$uid} (length " . length($m) . ')');
    }
}
is($missing, 0, 'every acknowledged APPEND is present');
is($wrong, 0, 'every acknowledged APPEND is byte-identical under its APPENDUID');
my %seen;
for my $uid (sort { $a <=> $b } keys %$got) {
    my $id = message_id($got->{$uid});
    if (!defined $id || !$sent{$id}) {
        $alien++;
        diag("UID $uid: not a message the test sent");
    } elsif ($got->{$uid} ne message($id)) {
        $bad++;
        diag("UID $uid ($id): incomplete or altered, length " . length($got->{$uid}));
    } elsif ($seen{$id}++) {
        $bad++;
        diag("UID $uid ($id): a second copy");
    }
}
is($alien, 0, 'every present message was sent by the test');
is($bad, 0, 'no message is half-visible or duplicated');
note(scalar(grep { !$acked{$_} } keys %$got) . ' present without a tagged OK (complete)');

$n->stop;
my ($out, $status) = Murder::LMTP::run_tool($n, 'reconstruct', 'user.alice');
is($status, 0, 'reconstruct ran');
like($out, qr/^user\.alice: kept \d+, adopted 0, changed 0, lost 0, uncommitted removed 0\n\z/,
     'reconstruct finds nothing to fix') or diag($out);
my ($kept) = $out =~ /kept (\d+)/;
is($kept, scalar(keys %$got), 'reconstruct keeps exactly the visible messages');
done_testing;
