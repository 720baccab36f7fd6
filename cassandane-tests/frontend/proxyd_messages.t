#!/usr/bin/perl
# proxyd_messages.t - the selected state through the frontend, for a
# user on each backend: SELECT, FETCH (literals streamed), STORE, SEARCH,
# UID SEARCH, EXPUNGE reach the right backend; two clients on the
# frontend see each other's STORE and APPEND (NOOP relayed to the
# backend); CLOSE and re-SELECT across backends.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist));

my $t = Murder::Proxy::murder();
Murder::Proxy::provision($t, alice => 0, bob => 1);
my %be = (alice => $t->backend(0), bob => $t->backend(1));
my $f = $t->frontend(0);

for my $u (qw(alice bob)) {
    my $d = Murder::MsgIMAP::client($be{$u}, $u);
    for my $i (1 .. 3) {
        my $ok = Murder::MsgIMAP::append($d, 'INBOX',
            Murder::MsgIMAP::msg("From: x\@example.com\nSubject: $u $i\n\nbody $u $i\n"));
        die "APPEND: " . ($ok // 'EOF') unless ($ok // '') =~ /OK/;
    }
    $d->cmd('LOGOUT');

    my $c = Murder::MsgIMAP::client($f, $u);
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
    like($ok, qr/^\S+ OK \[READ-WRITE\]/, "$u: SELECT INBOX via the frontend");
    ok((grep { /^\* 3 EXISTS$/ } @u), "$u: the backend's 3 messages");
    ($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 2 (FLAGS BODY.PEEK[])');
    like($ok, qr/OK/, "$u: FETCH");
    like($u[0] // '', qr/^\* 2 FETCH .*Subject: \Q$u\E 2\r\n.*body \Q$u\E 2/s,
         "$u: FETCH BODY[] literal relayed intact");
    like(scalar $c->cmd('STORE 2 +FLAGS (\\Deleted)'), qr/OK/, "$u: STORE");
    ($ok, @u) = $c->cmd('SEARCH DELETED');
    is_deeply(\@u, ['* SEARCH 2'], "$u: SEARCH DELETED");
    ($ok, @u) = $c->cmd('UID SEARCH SUBJECT "3"');
    is_deeply(\@u, ['* SEARCH 3'], "$u: UID SEARCH");
    ($ok, @u) = $c->cmd('EXPUNGE');
    like($ok, qr/OK/, "$u: EXPUNGE");
    ok((grep { $_ eq '* 2 EXPUNGE' } @u), "$u: the backend's EXPUNGE relayed")
        or diag(join("\n", @u));
    is(scalar(Murder::Proxy::backend_messages($be{$u}, $u, 'INBOX')), 2,
       "$u: the backend has 2 messages left");
    like(scalar $c->cmd('CLOSE'), qr/OK/, "$u: CLOSE");
    like(scalar $c->cmd('FETCH 1 FLAGS'), qr/BAD/, "$u: no mailbox selected after CLOSE");
    $c->cmd('LOGOUT');
}

# two clients of the frontend see each other's changes
my $c1 = Murder::MsgIMAP::client($f, 'alice', 'INBOX');
my $c2 = Murder::MsgIMAP::client($f, 'alice', 'INBOX');
like(scalar $c1->cmd('STORE 1 +FLAGS (\\Flagged)'), qr/OK/, 'client 1 flags message 1');
my ($ok, @u) = $c2->cmd('NOOP');
ok((grep { /^\* 1 FETCH \(.*FLAGS \([^)]*\\Flagged/ } @u), 'client 2 sees the flag at NOOP');
like(Murder::MsgIMAP::append($c1, 'INBOX', Murder::MsgIMAP::msg("Subject: new\n\nx\n")),
     qr/OK/, 'client 1 appends through the frontend');
($ok, @u) = $c2->cmd('NOOP');
ok((grep { /^\* 3 EXISTS$/ } @u), 'client 2 sees the new message');
# moving the selection to the other backend (bob shared nothing: use
# alice's INBOX after a failed SELECT)
like(scalar $c2->cmd('SELECT nosuch'), qr/NO \[NONEXISTENT\]/, 'SELECT of a missing mailbox: NO');
like(scalar $c2->cmd('FETCH 1 FLAGS'), qr/BAD/, 'a failed SELECT leaves nothing selected');
$c1->cmd('LOGOUT');
$c2->cmd('LOGOUT');
$t->stop;
done_testing;
