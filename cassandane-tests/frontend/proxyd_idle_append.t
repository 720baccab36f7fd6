#!/usr/bin/perl
# proxyd_idle_append.t - IDLE through the frontend sees a message
# delivered directly on the backend at once; DONE ends it with the
# backend's OK.  APPEND of a 5 MB message through the frontend is
# streamed to the backend (the proxyd process does not grow by the
# message's size) and arrives byte for byte.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;
use Time::HiRes qw(time);

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist));

my $t = Murder::Proxy::murder(
    frontend_config => $ENV{PROXYD_TEST_BUFFER} ? { maxliteral => 10000000 } : {});
Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);

for my $i (0, 1) {
    my $u = $i ? 'bob' : 'alice';
    my $c = Murder::MsgIMAP::client($f, $u, 'INBOX');
    my $tag = $c->next_tag;
    $c->send("$tag IDLE\r\n");
    like($c->line(5) // '', qr/^\+ /, "$u: IDLE continuation");
    my $d = Murder::MsgIMAP::client($t->backend($i), $u);
    my $t0 = time;
    like(Murder::MsgIMAP::append($d, 'INBOX', Murder::MsgIMAP::msg("Subject: hi\n\nx\n")),
         qr/OK/, "$u: delivery straight to the backend");
    like($c->line(5) // '', qr/^\* 1 EXISTS$/, "$u: the IDLE sees it");
    ok(time - $t0 < 4, "$u: within a few seconds");
    $c->send("DONE\r\n");
    like(scalar $c->until_tag($tag, 5) // '', qr/^\Q$tag\E OK/, "$u: DONE ends IDLE");
    like(scalar $c->cmd('FETCH 1 FLAGS'), qr/OK/, "$u: the session goes on");
    $d->cmd('LOGOUT');
    $c->cmd('LOGOUT');
}

# vm_hwm - peak resident size (kB) of process $pid
sub vm_hwm {
    my ($pid) = @_;
    open(my $fh, '<', "/proc/$pid/status") or return undef;
    while (my $l = <$fh>) { return $1 if $l =~ /^VmHWM:\s+(\d+)/ }
    return undef;
}

my $c = Murder::MsgIMAP::client($f, 'bob');
# the proxyd process serving this client: the last login of bob
my ($pid) = (($f->log_lines(qr/imap\[\d+\]: info: login ok user=<bob>/))[-1] // '')
    =~ /imap\[(\d+)\]/;
my $before = $pid ? vm_hwm($pid) : undef;
ok(defined $before, "the frontend's proxyd process is measurable");
my $line = ('x' x 998) . "\r\n";
my $body = "From: big\@example.com\r\nSubject: big\r\n\r\n" . ($line x 5000);
my $tag = $c->next_tag;
$c->send("$tag APPEND INBOX {" . length($body) . "}\r\n");
like($c->line(5) // '', qr/^\+ /, 'continuation for the 5 MB literal');
$c->send($body . "\r\n");
like(scalar $c->until_tag($tag, 30) // '', qr/^\Q$tag\E OK/, '5 MB APPEND through the frontend');
my $grew = (vm_hwm($pid) // 1e9) - ($before // 0);
cmp_ok($grew, '<', 2500, "proxyd's peak memory grew by ${grew} kB (< the 5 MB message)");
my @msgs = Murder::Proxy::backend_messages($t->backend(1), 'bob', 'INBOX');
ok((grep { $_ eq $body } @msgs), 'the backend has the message byte for byte');
$c->cmd('LOGOUT');
$t->stop;
done_testing;
