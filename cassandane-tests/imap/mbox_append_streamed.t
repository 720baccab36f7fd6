#!/usr/bin/perl
# mbox_append_streamed.t - a 10 MB APPEND literal is streamed into the
# mailbox's staging file, not held in memory: imapd's anonymous resident
# memory (RssAnon) grows by much less than the message, and the message
# arrives intact (SIZE).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

# rss_anon - RssAnon of pid in KiB
sub rss_anon {
    my ($pid) = @_;
    open(my $f, '<', "/proc/$pid/status") or return undef;
    while (<$f>) { return $1 if /^RssAnon:\s+(\d+)/ }
    return undef;
}

my $n = Murder::RawIMAP::imapd_node();
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd('CREATE user/alice');
my $c = Murder::RawIMAP->connect($n);
$c->login('alice', 'alice-pw');
$c->cmd('NOOP');
my ($pid) = map { /imap\[(\d+)\]: info: login ok user=<alice>/ ? $1 : () }
            $n->log_lines(qr/login ok user=<alice>/);
ok($pid, "imapd pid $pid") or BAIL_OUT('no pid');
my $before = rss_anon($pid);
my $size = 10 * 1024 * 1024;
my $line = ('y' x 998) . "\r\n";
my $body = "Subject: big\r\n\r\n" . ($line x int(($size - 16) / 1000));
$body .= 'z' x ($size - length $body);
$c->send("A1 APPEND INBOX {$size}\r\n");
like($c->line, qr/^\+ /, 'continuation');
my $peak = 0;
for (my $off = 0; $off < $size; $off += 1 << 20) {
    $c->send(substr($body, $off, 1 << 20));
    my $r = rss_anon($pid) // 0;
    $peak = $r if $r > $peak;
}
$c->send("\r\n");
like(scalar $c->until_tag('A1', 60), qr/^A1 OK \[APPENDUID/, 'APPEND of 10 MB');
my $after = rss_anon($pid) // 0;
$peak = $after if $after > $peak;
diag("RssAnon before=${before}K peak=${peak}K");
cmp_ok($peak - $before, '<', 4096, 'anonymous memory grew by less than 4 MiB');
my ($ok, @u) = $c->cmd('STATUS INBOX (MESSAGES SIZE)');
is($u[0], qq{* STATUS "INBOX" (MESSAGES 1 SIZE $size)}, 'stored intact');
$n->stop;
done_testing;
