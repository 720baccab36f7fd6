#!/usr/bin/perl
# crash_fault_point.t - lmtpd killed (SIGKILL, via MAILBOX_FAULT_POINT)
# inside the append of a multi-recipient batch: before the commit point
# nothing is visible in any mailbox (and reconstruct removes the
# uncommitted file); right after it the first mailbox holds the intact
# message.  No 250 was sent in either case, so the MTA retries and
# nothing acknowledged is lost.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool reconstruct));

for my $point (qw(append-records-written append-committed)) {
    my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)],
                                     env => { MAILBOX_FAULT_POINT => $point });
    my $c = Murder::LMTP->connect($n);
    my $pid = ($n->child_pids('lmtp'))[0];
    $n->allow_crash($pid) if $pid;
    my $msg = Murder::LMTP::message(body => "crash test $point\r\n");
    my $r = $c->deliver('s@x', [qw(alice@x bob@x)], $msg);
    is(scalar(grep { defined && /^250/ } @{$r->{data}}), 0, "$point: no 250 sent");
    my @a = Murder::LMTP::messages($n, 'user.alice');
    my @b = Murder::LMTP::messages($n, 'user.bob');
    is(scalar @b, 0, "$point: bob has nothing");
    if ($point eq 'append-committed') {
        is(scalar @a, 1, "$point: alice's committed message is there");
        my $text = Murder::LMTP::message_text($a[0]) // '';
        ok(substr($text, -length $msg) eq $msg, "$point: and intact");
    } else {
        is(scalar @a, 0, "$point: nothing half-visible");
        my ($out) = Murder::LMTP::run_tool($n, 'reconstruct', 'user.alice');
        like($out, qr/kept 0, adopted 0.*uncommitted removed 1/, "$point: reconstruct drops the orphan");
        is(scalar(Murder::LMTP::messages($n, 'user.alice')), 0, "$point: still empty");
    }
    $n->stop;
}
done_testing;
