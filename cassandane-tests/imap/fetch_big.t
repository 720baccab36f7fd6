#!/usr/bin/perl
# fetch_big.t - a 10 MB message is FETCHed (BODY[] and a partial) intact
# while the serving imapd's anonymous memory stays far below the message
# size: the body is streamed from the mapped file, not copied.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice'],
                                config => { maxliteral => 20 * 1024 * 1024 });
my $line = ('x' x 76) . "\r\n";
my $msg = "Subject: big\r\n\r\n" . ($line x (10 * 1024 * 1024 / 78));
my $a = Murder::MsgIMAP::client($n, 'alice');
like(Murder::MsgIMAP::append($a, 'INBOX', $msg), qr/^\S+ OK/, 'append 10 MB');
$a->cmd('LOGOUT');

my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
# the imapd serving $c: the child whose anonymous memory we watch
sub rss_anon {
    my $max = 0;
    for my $pid ($n->child_pids('imap')) {
        open(my $f, '<', "/proc/$pid/status") or next;
        while (<$f>) { $max = $1 if /^RssAnon:\s+(\d+)/ && $1 > $max }
    }
    return $max;   # kB
}
my $before = rss_anon();
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY.PEEK[]', 60);
like($ok, qr/^\S+ OK/, 'FETCH BODY[] ok');
is(length($u[0] // ''), length("* 1 FETCH (BODY[] {" . length($msg) . "}\r\n") + length($msg) + 1,
   'whole message came back');
ok(($u[0] // '') eq "* 1 FETCH (BODY[] {" . length($msg) . "}\r\n$msg)", 'bytes intact');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY.PEEK[TEXT]<5000000.78>');
is($u[0], "* 1 FETCH (BODY[TEXT]<5000000> {78}\r\n" . substr($msg, 16 + 5000000, 78) . ')',
   'partial from the middle');
my $after = rss_anon();
ok($before > 0, 'found the imapd');
cmp_ok($after - $before, '<', 4 * 1024, 'anonymous memory grew by less than 4 MB')
    or diag "before=${before}kB after=${after}kB";
$n->stop;
done_testing;
