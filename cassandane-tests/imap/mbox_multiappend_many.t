#!/usr/bin/perl
# mbox_multiappend_many.t - a MULTIAPPEND (RFC 3502) of many small
# messages whose literals together are far more than the command's
# in-memory literal limit (2 x maxliteral): the literals past that limit
# are streamed to staging files instead of refused with [TOOBIG], and
# all messages land in one commit with one APPENDUID range, with
# non-synchronising and with synchronising literals.  (The frontend's
# cross-backend COPY sends batches like this.)
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

# maxliteral 4096: the command may buffer 8 KB of literals
my $n = Murder::RawIMAP::imapd_node(config => { maxliteral => 4096 });
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd('CREATE user/alice');
my $c = Murder::RawIMAP->connect($n);
like($c->login('alice', 'alice-pw'), qr/^\S+ OK/, 'alice logged in');

# msg - message $i, about 3000 bytes (under maxliteral, so "small")
sub msg {
    my ($i) = @_;
    my $m = "From: a\@example.com\r\nSubject: m$i\r\n\r\n";
    $m .= sprintf("line %04d of message %d\r\n", length($m), $i) while length($m) < 3000;
    return $m;
}

# 100 messages of ~3 KB: ~300 KB of literals, LITERAL+
my $cmd = 'A1 APPEND INBOX';
$cmd .= sprintf(' (\\Seen) {%d+}' . "\r\n%s", length(msg($_)), msg($_)) for 1 .. 100;
$c->send("$cmd\r\n");
my ($ok) = $c->until_tag('A1', 30);
like($ok, qr/^A1 OK \[APPENDUID \d+ 1:100\]/, 'MULTIAPPEND of 100 (LITERAL+): one range');

# 30 more with synchronising literals: a continuation for each
$c->send(sprintf("A2 APPEND INBOX {%d}\r\n", length(msg(101))));
my $conts = 0;
for my $i (101 .. 130) {
    my $l = $c->line(10) // 'EOF';
    last unless $l =~ /^\+ /;
    $conts++;
    $c->send(msg($i) . ($i < 130 ? sprintf(" {%d}\r\n", length(msg($i + 1))) : "\r\n"));
}
is($conts, 30, 'a continuation for every literal');
($ok) = $c->until_tag('A2', 30);
like($ok, qr/^A2 OK \[APPENDUID \d+ 101:130\]/, 'MULTIAPPEND of 30 (synchronising): one range');

my ($st, @u) = $c->cmd('STATUS INBOX (MESSAGES)');
ok(scalar(grep { /MESSAGES 130\b/ } @u), '130 messages') or diag(join "\n", @u);
$c->cmd('EXAMINE INBOX');
for my $i (1, 3, 50, 100, 101, 130) {
    my ($f, @l) = $c->cmd("UID FETCH $i (RFC822.SIZE)");
    my ($size) = join("\n", @l) =~ /RFC822\.SIZE (\d+)/;
    is($size, length(msg($i)), "message $i has its size");
}
my ($f, @l) = $c->cmd('UID FETCH 100 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
ok(scalar(grep { /Subject: m100/ } @l), 'message 100 is m100');
$c->close;
$n->stop;
done_testing;
