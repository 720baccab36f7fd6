#!/usr/bin/perl
# pop3proxy_session.t - POP3 through the frontend for a user on each of
# two backends: the frontend authenticates the user, finds the INBOX's
# backend in its mailboxes.db and passes the session through: CAPA,
# STAT, LIST, UIDL, RETR give the backend's maildrop; DELE + QUIT expunge
# on the backend; a session dropped without QUIT leaves the maildrop
# untouched; a wrong password and an unknown user are refused at the
# frontend.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d lmtpd pop3proxyd ctl_mboxlist testsvc));

my $t = Murder::Proxy::murder();
Murder::Proxy::provision($t, alice => 0, bob => 1);
my %be = (alice => $t->backend(0), bob => $t->backend(1));
my $f = $t->frontend(0);

for my $u (qw(alice bob)) {
    my $c = Murder::MsgIMAP::client($be{$u}, $u);
    for my $i (1 .. 3) {
        my $ok = Murder::MsgIMAP::append($c, 'INBOX',
            Murder::MsgIMAP::msg("From: x\@example.com\nSubject: $u $i\n\nbody of $u $i\n.dotted line\n"));
        die "APPEND: " . ($ok // 'EOF') unless ($ok // '') =~ /OK/;
    }
    $c->cmd('LOGOUT');
}

for my $u (qw(alice bob)) {
    my $c = Murder::POP3->connect($f);
    like($c->greeting, qr/^\+OK /, "$u: frontend greets");
    my ($st, @capa) = $c->multi('CAPA');
    ok(grep({ $_ eq 'UIDL' } @capa), "$u: CAPA from the frontend engine");
    like($c->login($u, $Murder::Proxy::USERS{$u}), qr/^\+OK Mailbox open, 3 messages/,
         "$u: login relays the backend's +OK");
    like($c->cmd('STAT'), qr/^\+OK 3 \d+$/, "$u: STAT");
    ($st, my @list) = $c->multi('LIST');
    is(scalar @list, 3, "$u: LIST has 3 messages");
    ($st, my @uidl) = $c->multi('UIDL');
    like($uidl[0], qr/^1 \d+\.1$/, "$u: UIDL is the backend's uidvalidity.uid");
    ($st, my @msg) = $c->multi('RETR 2');
    like($st, qr/^\+OK/, "$u: RETR 2");
    ok((grep { $_ eq "Subject: $u 2" } @msg), "$u: RETR gives the backend's message 2");
    ok((grep { $_ eq '.dotted line' } @msg), "$u: dot-stuffing passes through intact");
    like($c->cmd('DELE 1'), qr/^\+OK/, "$u: DELE 1");
    like($c->cmd('QUIT'), qr/^\+OK/, "$u: QUIT");
    ok($c->at_eof, "$u: closed after QUIT");
}

# the deletions reached the right backend; a dropped session changes nothing
for my $u (qw(alice bob)) {
    my $c = Murder::POP3->connect($f);
    like($c->login($u, $Murder::Proxy::USERS{$u}), qr/^\+OK Mailbox open, 2 messages/,
         "$u: DELE+QUIT expunged on the backend");
    like($c->cmd('DELE 1'), qr/^\+OK/, "$u: DELE then drop the connection");
    $c->close;
}
for my $u (qw(alice bob)) {
    my @m = Murder::Proxy::backend_messages($be{$u}, $u, 'INBOX');
    is(scalar @m, 2, "$u: 2 messages left on " . $be{$u}->name);
    my $other = $u eq 'alice' ? $t->backend(1) : $t->backend(0);
    my $re = qr/pop3\[\d+\]: info: login ok user=<proxy> mech=<\S+> tls=<0> authzid=<$u>/;
    is(scalar($be{$u}->log_lines($re)), 2, "$u: 2 proxied logins (proxy for $u) on its backend");
    is(scalar($other->log_lines($re)), 0, "$u: none on the other backend");
}

my $before = () = $be{alice}->log_lines(qr/^.* pop3\[/);
my $c = Murder::POP3->connect($f);
like($c->login('alice', 'wrong'), qr/^-ERR \[AUTH\]/, 'wrong password refused at the frontend');
$c->close;
$c = Murder::POP3->connect($f);
like($c->login('nobody', 'x'), qr/^-ERR \[AUTH\]/, 'unknown user refused at the frontend');
$c->close;
my $after = () = $be{alice}->log_lines(qr/^.* pop3\[/);
is($after, $before, 'no backend contacted for refused logins');
ok($f->wait_for_log(qr/login ok user=<alice>.*backend=<\Q@{[$be{alice}->servername]}\E>/, 5),
   'frontend logs the backend it routed to');
$t->stop;
done_testing;
