#!/usr/bin/perl
# append_precheck.t - APPEND checks its target before inviting a
# synchronising literal: a missing mailbox gets "NO [TRYCREATE]", one
# without the 'i' right NO, a message over quota "NO [OVERQUOTA]", each
# instead of "+" (the client sends nothing more and the session goes on);
# with LITERAL+ the data is read and discarded and the answer is the
# same; a good target still gets "+".
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node();
my $S = $Murder::MsgIMAP::SEP;
my $adm = Murder::MsgIMAP::client($n, 'admin');
like(scalar $adm->cmd("SETQUOTA user${S}alice (STORAGE 2)"), qr/^\S+ OK/, 'alice: 2 KiB quota');
my $bob = Murder::MsgIMAP::client($n, 'bob');
$bob->cmd('CREATE ro');
$bob->cmd('SETACL ro alice lr');
my $c = Murder::MsgIMAP::client($n, 'alice');

# sync_append - APPEND with a synchronising literal of $len bytes: the
# first answer line (sending the data only when invited)
sub sync_append {
    my ($box, $len) = @_;
    my $tag = $c->next_tag;
    $c->send("$tag APPEND $box {$len}\r\n");
    my $l = $c->line(5) // 'EOF';
    if ($l =~ /^\+/) {
        $c->send(('x' x ($len - 2)) . "\r\n\r\n");
        my $ok = $c->until_tag($tag, 10) // 'EOF';
        return "+ then $ok";
    }
    return $l;
}

like(sync_append('nosuch', 100), qr/^t\d+ NO \[TRYCREATE\]/, 'missing: NO [TRYCREATE] instead of +');
like(scalar $c->cmd('NOOP'), qr/^\S+ OK/, 'the session goes on');
like(sync_append("\"Other Users${S}bob${S}ro\"", 100), qr/^t\d+ NO /, 'no i right: NO instead of +');
like(sync_append('INBOX', 5000), qr/^t\d+ NO \[OVERQUOTA\]/, 'over quota: NO [OVERQUOTA] instead of +');
like(scalar $c->cmd('NOOP'), qr/^\S+ OK/, 'still in sync');
like(sync_append('INBOX', 100), qr/^\+ then \S+ OK/, 'a good APPEND is invited and stored');

# LITERAL+: the data comes anyway and is discarded
my $msg = 'y' x 300;
my $tag = $c->next_tag;
$c->send("$tag APPEND nosuch {300+}\r\n$msg\r\n");
like(scalar $c->until_tag($tag, 10) // 'EOF', qr/ NO \[TRYCREATE\]/, 'LITERAL+: NO [TRYCREATE]');
like(scalar $c->cmd('NOOP'), qr/^\S+ OK/, 'LITERAL+: the data was not taken as commands');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'STATUS INBOX (MESSAGES)');
like(join('', @u), qr/MESSAGES 1\b/, 'only the invited message was stored');
$n->stop;
done_testing;
