#!/usr/bin/perl
# proxyd_multiappend.t - a client's MULTIAPPEND through the frontend with
# more small messages than the command may buffer (2 x maxliteral), and a
# big one among them: the small ones past the limit and the big one are
# streamed on to the backend as they arrive, and all of them land in one
# commit with one APPENDUID range, intact.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist));

my $t = Murder::Proxy::murder(frontend_config => { maxliteral => 4096 });
Murder::Proxy::provision($t, alice => 0);
my $f = $t->frontend(0);

# msg - message $i of about $size bytes
sub msg {
    my ($i, $size) = @_;
    my $m = "From: a\@example.com\r\nSubject: m$i\r\n\r\n";
    $m .= sprintf("line %07d of message %d\r\n", length($m), $i) while length($m) < $size;
    return $m;
}
my @m = map { msg($_, $_ == 40 ? 200_000 : 3000) } 1 .. 80;

my $c = Murder::RawIMAP->connect($f);
like($c->login('alice', $Murder::Proxy::USERS{alice}), qr/^\S+ OK/, 'alice at the frontend');
my $cmd = 'A1 APPEND INBOX';
$cmd .= sprintf(' () {%d+}' . "\r\n%s", length($_), $_) for @m;
$c->send("$cmd\r\n");
my ($ok) = $c->until_tag('A1', 30);
like($ok, qr/^A1 OK \[APPENDUID \d+ 1:80\]/, 'MULTIAPPEND of 80 (one of 200 KB) through the frontend: one range');

$c->cmd('EXAMINE INBOX');
my ($fo, @l) = $c->cmd('UID FETCH 1:80 (RFC822.SIZE)');
my @sizes = map { /RFC822\.SIZE (\d+)/ ? $1 : () } @l;
is_deeply(\@sizes, [map { length } @m], 'every message with its size, in order');
($fo, @l) = $c->cmd('UID FETCH 41 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
ok(scalar(grep { /Subject: m41/ } @l), 'the one after the big one is m41');
$c->close;
$t->stop;
done_testing;
