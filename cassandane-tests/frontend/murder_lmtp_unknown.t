#!/usr/bin/perl
# murder_lmtp_unknown.t - lmtpproxyd's answers for recipients it cannot
# route: 550 5.1.1 for an unknown user only when the list is known
# current (the slave caught up with the master); a mailbox RESERVEd in
# MUPDATE (a CREATE or XFER in flight), user or shared, gets 4xx; with
# the master stopped every unknown recipient gets 4xx while known ones
# are still delivered.  Routing: user+folder to the folder, a shared
# mailbox address (postuser+name, lmtpd/lmtp_recipient.c) to backend2.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;
use Murder::LMTP;
use Murder::MUPDATE;

skip_unless_built(qw(master imapd lmtpd lmtpproxyd mupdate ctl_mboxlist));
plan(skip_all => 'needs the real MUPDATE flow') unless Murder::Proxy::real_flow();

my $t = Murder::Proxy::murder();
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
my ($b1, $b2, $f) = ($t->backend(0), $t->backend(1), $t->frontend(0));
Murder::Proxy::admin_cmd($b1, "CREATE user${s}alice${s}lists");
Murder::Proxy::admin_cmd($b1, "SETACL user${s}alice${s}lists anyone p");
Murder::Proxy::admin_cmd($b2, "CREATE shared${s}news");
Murder::Proxy::admin_cmd($b2, "SETACL shared${s}news anyone p");
Murder::Proxy::sync_frontend($t, 'user.alice.lists', 'shared.news');

# reserve - RESERVE $name on backend1 at the master, and wait until the
# frontend's list holds it
my $m = Murder::MUPDATE->connect($t->mupdate, user => $Murder::Topology::ADMIN_USER,
                                 password => $Murder::Topology::ADMIN_PASSWORD);
sub reserve {
    my ($name) = @_;
    my $r = $m->cmd('RESERVE', $name, $b1->servername . '!default');
    is($r->{status}, 'OK', "master: RESERVE $name");
    Murder::Proxy::sync_frontend($t, $name);
}
reserve('user.dave');
reserve('shared.soon');
$m->close;

# rcpt - one RCPT's reply in a fresh LMTP session to the frontend
sub rcpt {
    my ($addr) = @_;
    my $c = Murder::Proxy::lmtp($f);
    $c->cmd('MAIL FROM:<sender@example.com>');
    my $r = $c->cmd("RCPT TO:<$addr>", 15) // 'EOF';
    $c->cmd('QUIT');
    return $r;
}

# master up: the list is current
like(rcpt('nobody@example.com'), qr/^550 5\.1\.1 /, 'unknown user, list current: 550 5.1.1');
like(rcpt("+shared${s}none\@example.com"), qr/^550 5\.1\.1 /, 'unknown shared mailbox: 550 5.1.1');
like(rcpt('dave@example.com'), qr/^4\d\d /, "a user whose INBOX is reserved (in flight): 4xx");
like(rcpt("+shared${s}soon\@example.com"), qr/^4\d\d /, 'a reserved shared mailbox: 4xx');

# routing: user+folder, a shared mailbox on backend2, a plain user
my $c = Murder::Proxy::lmtp($f);
my $r = $c->deliver('sender@example.com',
    ['alice+lists@example.com', "+shared${s}news\@example.com", 'bob@example.com'],
    Murder::LMTP::message(subject => 'routed'));
like($r->{rcpt}[$_] // '', qr/^250 /, "RCPT $_ accepted") for 0 .. 2;
is(scalar(grep { /^250 / } @{$r->{data}}), 3, 'all three delivered');
$c->cmd('QUIT');
is(scalar(Murder::Proxy::backend_messages($b1, 'alice', "INBOX${s}lists")), 1,
   'alice+lists: in the folder on backend1');
is(scalar(Murder::Proxy::backend_messages($b1, 'alice', 'INBOX')), 0, '... not in her INBOX');
ok($b2->wait_for_log(qr/delivered rcpt=<\+shared\Q$s\Enews\@example\.com> mailbox=<shared\.news> uid=<1>/, 5),
   'the shared mailbox on backend2 got the message');
ok(!$b1->log_lines(qr/rcpt=<\+shared/), 'nothing for the shared mailbox reached backend1');

# master down: the slave cannot confirm the list is current
$t->mupdate->stop;
like(rcpt('nobody@example.com'), qr/^4\d\d /, 'master down: unknown user: 4xx, not 550');
like(rcpt("+shared${s}none\@example.com"), qr/^4\d\d /, 'master down: unknown shared mailbox: 4xx');
like(rcpt('dave@example.com'), qr/^4\d\d /, 'master down: reserved INBOX: 4xx');
like(rcpt('alice@example.com'), qr/^250 /, 'master down: a known user is still accepted');
like(rcpt('alice+nosuch@example.com'), qr/^250 /, '... and user+unknown-folder goes to the INBOX');

# master back: 550 again once the slave is current
$t->mupdate->start;
ok(Murder::Util::wait_for(sub { rcpt('nobody@example.com') =~ /^550 5\.1\.1 / }, 15),
   'master restarted: unknown user is 550 5.1.1 again');
like(rcpt('dave@example.com'), qr/^4\d\d /, 'the reservation survived: still 4xx');
$t->stop;
done_testing;
