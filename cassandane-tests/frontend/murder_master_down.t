#!/usr/bin/perl
# murder_master_down.t - the MUPDATE master stopped: through the frontend,
# reads and mail access go on (LOGIN, LIST, SELECT, FETCH, APPEND, LMTP
# to known users, POP3), while the list writes (CREATE, DELETE, RENAME,
# SETACL) answer NO [UNAVAILABLE] naming the master, promptly.  The
# master restarted: within a few seconds writes work again and the new
# mailbox shows in the frontend's LIST.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;
use Murder::LMTP;
use Murder::POP3;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master imapd pop3d lmtpd proxyd pop3proxyd lmtpproxyd
                     mupdate ctl_mboxlist));
plan(skip_all => 'needs the real MUPDATE flow') unless Murder::Proxy::real_flow();

my $t = Murder::Proxy::murder();
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);
my $c = Murder::MsgIMAP::client($f, 'alice');
for my $m ('keep', 'gone', 'old') {
    like(scalar $c->cmd("CREATE INBOX${s}$m"), qr/^\S+ OK/, "master up: CREATE INBOX${s}$m");
}
like(Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: one\n\nfirst\n")),
     qr/OK/, 'master up: APPEND');
$c->cmd('LOGOUT');

# has - does LIST output @l name alice's folder $m (INBOX.m, or m when
# the namespace shows personal folders beside INBOX)?
sub has {
    my ($m, @l) = @_;
    return scalar grep { /"(?:INBOX\Q$s\E)?\Q$m\E"$/ } @l;
}

$t->mupdate->stop;

# reads and mail access
$c = Murder::MsgIMAP::client($f, 'alice');
my ($ok, @l) = $c->cmd('LIST "" "*"');
like($ok, qr/^\S+ OK/, 'master down: LIST');
ok(has('keep', @l), "... from the frontend's copy");
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'master down: SELECT INBOX');
($ok, @l) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY.PEEK[]');
like($ok, qr/^\S+ OK/, 'master down: FETCH');
ok((grep { /first/ } @l), '... gives the message');
like(Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: two\n\nsecond\n")),
     qr/OK/, 'master down: APPEND');
like(scalar $c->cmd('NOOP'), qr/^\S+ OK/, 'NOOP');
my $t1 = time;
like(scalar $c->cmd("SELECT INBOX${s}nosuch", 20) // 'EOF', qr/^\S+ NO \[NONEXISTENT\]/,
     'master down: SELECT of an unknown name (the slave cannot catch up): NO');
cmp_ok(time - $t1, '<', 2, '... promptly');

my $lmtp = Murder::Proxy::lmtp($f);
my $r = $lmtp->deliver('sender@example.com', ['alice@example.com', 'bob@example.com'],
                       Murder::LMTP::message(subject => 'master down'));
like($r->{rcpt}[0] // '', qr/^250 /, 'master down: LMTP RCPT alice (backend1)');
like($r->{rcpt}[1] // '', qr/^250 /, 'master down: LMTP RCPT bob (backend2)');
is(scalar(grep { /^250 / } @{$r->{data}}), 2, 'master down: both delivered');
$lmtp->cmd('QUIT');

my $p = Murder::POP3->connect($f);
like($p->login('alice', $Murder::Proxy::USERS{alice}) // '', qr/^\+OK Mailbox open, 3 messages/,
     'master down: POP3 login (the LMTP message counted)');
like($p->cmd('STAT') // '', qr/^\+OK 3 /, 'master down: POP3 STAT');
$p->cmd('QUIT');
$p = Murder::POP3->connect($f);
like($p->login('carol', $Murder::Proxy::USERS{carol}) // '', qr/^-ERR \[SYS\/TEMP\]/,
     'master down: POP3 for a user the list lacks: -ERR [SYS/TEMP], not a permanent error');
$p->close;

# list writes: NO with a clear text, promptly
my $unavailable = qr/^\S+ NO \[UNAVAILABLE\].*MUPDATE/;
for my $cmd ("CREATE INBOX${s}new", "DELETE INBOX${s}gone",
             "RENAME INBOX${s}old INBOX${s}renamed", "SETACL INBOX${s}keep bob lrs") {
    my $t0 = time;
    like(scalar $c->cmd($cmd, 20) // 'EOF', $unavailable, "master down: $cmd -> NO naming the master");
    cmp_ok(time - $t0, '<', 5, '... within 5 s');
}
($ok, @l) = $c->cmd('LIST "" "*"');
ok(has('gone', @l) && has('old', @l) && !has('new', @l) && !has('renamed', @l),
   'the list is unchanged');
my $d = Murder::MsgIMAP::client($t->backend(0), 'alice');
($ok, @l) = $d->cmd('LIST "" "*"');
ok(has('gone', @l) && has('old', @l) && !has('new', @l) && !has('renamed', @l),
   'and the backend changed nothing either');
($ok, @l) = $d->cmd("GETACL INBOX${s}keep");
ok(!(grep { /\bbob\b/ } @l), 'the ACL was not changed on the backend');
$d->cmd('LOGOUT');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'the session goes on');

# the master back: writes work again within a few seconds
$t->mupdate->start;
my $t0 = time;
my $created = Murder::Util::wait_for(sub {
    (scalar $c->cmd("CREATE INBOX${s}new") // '') =~ /^\S+ OK/;
}, 15);
ok($created, 'master restarted: CREATE through the frontend works again');
# the backend reaches the restarted master at once; the frontend's slave
# may still be in its reconnection backoff, and the kick after CREATE
# makes it reconnect at once (mupdate/mupdate_slave_serve.c cmd_noop)
like(scalar $c->cmd("SELECT INBOX${s}new"), qr/^\S+ OK/,
     '... and the new mailbox is SELECTable at once');
cmp_ok(time - $t0, '<', 8, '... within a few seconds (' . sprintf('%.1f', time - $t0) . ' s)');
# the frontend's slave reconnects with a backoff of at most a second
ok(Murder::Util::wait_for(sub { has('new', $c->cmd('LIST "" "*"')) }, 5),
   "the frontend's LIST shows the new mailbox");
like(scalar $c->cmd("SELECT INBOX${s}new"), qr/^\S+ OK/, 'and SELECTs it');
like(scalar $c->cmd("DELETE INBOX${s}gone"), qr/^\S+ OK/, 'DELETE works again');
like(scalar $c->cmd("SETACL INBOX${s}keep bob lrs"), qr/^\S+ OK/, 'SETACL works again');
$c->cmd('LOGOUT');

# another client on the frontend sees the master's current list
my $b = Murder::MsgIMAP::client($f, 'bob');
($ok, @l) = $b->cmd('LIST "" "*"');
ok((grep { /keep"$/ } @l), "bob sees alice's folder shared with him after the restart");
$b->cmd('LOGOUT');
$t->stop;
done_testing;
