#!/usr/bin/perl
# postfix_lmtp.t - a real Postfix (a private instance, Murder::Postfix)
# delivers through the frontend's lmtpproxyd, as issue #5 asks, over TCP
# (lmtp:inet:, LMTP AUTH PLAIN as `mta`, the frontend's lmtp_admins, the
# only password Postfix holds) and over a unix socket (lmtp:unix:,
# lmtpproxyd -a on a listen= path, which offers no AUTH).  For each: mail
# to alice@ (backend 1), bob@ (backend 2) and alice+lists@ lands in the
# right mailbox, an unknown user bounces (550 5.1.1 at RCPT); with backend
# 2 down mail to bob is deferred (451 4.4.x) and `postqueue -f` delivers
# it once the backend is back.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::LMTP;
use Murder::MsgIMAP;
use Murder::Postfix;

skip_unless_built(qw(master imapd pop3d lmtpd lmtpproxyd ctl_mboxlist testsvc));
if (my $why = Murder::Postfix::unavailable()) {
    plan(skip_all => $why);
}

my ($MTA, $MTA_PW) = ('mta', 'mta-secret');
my $t = Murder::Proxy::murder(
    frontend_config => { lmtp_admins => $MTA },
    frontend_services => [
        { name => 'lmtpunix', cmd => 'lmtpproxyd -a', prefork => 0, listen => 'unix' }]);
my $sep = Murder::Proxy::provision($t, alice => 0, bob => 1);
my ($b1, $b2, $f) = ($t->backend(0), $t->backend(1), $t->frontend(0));
$f->create_user($MTA, $MTA_PW);
my $a = Murder::MsgIMAP::client($b1, 'alice');
like(scalar $a->cmd("CREATE INBOX${sep}lists"), qr/^\S+ OK/, 'alice creates a folder');
like(scalar $a->cmd("SETACL INBOX${sep}lists anyone p"), qr/^\S+ OK/, 'anyone may post to it');
$a->cmd('LOGOUT');
Murder::Proxy::sync_frontend($t, 'user.alice.lists');

my $faddr = $f->address;
my $tcp = "$faddr:" . $f->port('lmtp');
my $sock = $f->service('lmtpunix')->{unix};
my $p = Murder::Postfix->new(main => {
    relay_domains => 'tcp.example unix.example',
    transport_maps => "inline:{ tcp.example=lmtp:inet:$tcp, unix.example=lmtp:unix:$sock }",
    lmtp_sasl_auth_enable => 'yes',
    lmtp_sasl_password_maps => "static:$MTA:$MTA_PW",
    lmtp_sasl_mechanism_filter => 'plain',
    lmtp_sasl_security_options => 'noanonymous',
});
$p->start;
note('Postfix ' . Murder::Postfix::version());

# a line starting with a dot: Postfix stuffs it, the frontend unstuffs it
my $BODY = "Hello.\r\n.dot line\r\n..two dots\r\n";
my $unknown = Murder::Proxy::real_flow()
    ? [bounced => qr/ 550 5\.1\.1 .*in reply to RCPT TO/]
    : [deferred => qr/ 451 4\.3\.0 /];
for my $via (qw(tcp unix)) {
    my %rcpt = map { $_ => "$_\@$via.example" } qw(alice bob alice+lists nobody);
    my $qid = $p->send('sender@sender.example', [@rcpt{qw(alice bob alice+lists nobody)}],
                       Murder::LMTP::message(subject => "via $via", body => $BODY));
    my $relay = $via eq 'tcp' ? qr/relay=\Q$faddr\E\[[\d.]+\]:\d+,/ : qr/relay=\S*\Q$sock\E/;
    for my $u (qw(alice bob alice+lists)) {
        my $s = $p->wait_status($qid, $rcpt{$u}) // ['none', ''];
        is($s->[0], 'sent', "$via: $u delivered") or diag("@$s");
        like($s->[1], qr/^250 2\.1\.5/, "$via: $u 250 2.1.5");
    }
    my $s = $p->wait_status($qid, $rcpt{nobody}) // ['none', ''];
    is($s->[0], $unknown->[0], "$via: unknown user $unknown->[0]") or diag("@$s");
    like($s->[1], $unknown->[1], "$via: reply for the unknown user");
    ok(scalar(grep { /\Q$qid\E: to=<\Q$rcpt{alice}\E>, $relay/ } split /\n/, $p->log_text),
       "$via: delivered through lmtp:$via") or diag($p->log_text);
}
ok(scalar $f->log_lines(qr/login ok user=<\Q$MTA\E> mech=<PLAIN>/),
   'Postfix authenticated as mta over TCP');

my %want = (alice => ['INBOX', $b1], bob => ['INBOX', $b2],
            'alice+lists' => ["INBOX${sep}lists", $b1]);
for my $u (sort keys %want) {
    my ($mbox, $n) = @{$want{$u}};
    (my $owner = $u) =~ s/\+.*//;
    my @m = Murder::Proxy::backend_messages($n, $owner, $mbox);
    is(scalar @m, 2, "$u: two messages in $mbox on " . $n->name);
    ok(scalar(grep { /^Subject: via tcp\r$/m } @m) && scalar(grep { /^Subject: via unix\r$/m } @m),
       "$u: one via each transport");
    is(scalar(grep { /\r\n\r\n\Q$BODY\E\z/ } @m), 2, "$u: the bodies arrive intact");
    is(scalar(grep { /^Return-Path: <sender\@sender\.example>\r$/m } @m), 2,
       "$u: Postfix's envelope sender is the Return-Path");
}
ok(!$b2->log_lines(qr/rcpt=<alice/), 'nothing for alice reached backend 2');

# backend 2 down: deferred, not bounced; delivered after a flush
$b2->stop;
my $qid = $p->send('sender@sender.example', ['bob@tcp.example', 'alice@tcp.example'],
                   Murder::LMTP::message(subject => 'while down'));
my $s = $p->wait_status($qid, 'bob@tcp.example') // ['none', ''];
is($s->[0], 'deferred', 'bob deferred while backend 2 is down') or diag("@$s");
# 4.4.1 when the connect fails, 4.4.2 when the frontend's pooled
# connection to the stopped backend breaks
like($s->[1], qr/ 451 4\.4\.[12] .*in reply to end of DATA/, 'deferred with 451 4.4.x after the data');
is(($p->wait_status($qid, 'alice@tcp.example') // ['none'])->[0], 'sent',
   'alice, in the same transaction, delivered');
ok(scalar(grep { $_ eq $qid } $p->queue), 'the message stays in the queue');
$b2->start;
$p->flush;
$s = $p->wait_status($qid, 'bob@tcp.example', not => ['deferred'], timeout => 20) // ['none', ''];
is($s->[0], 'sent', 'bob delivered after backend 2 is back and postqueue -f') or diag("@$s");
ok(Murder::Util::wait_for(sub { !grep { $_ eq $qid } $p->queue }, 5), 'the queue is empty');
my @bob = Murder::Proxy::backend_messages($b2, 'bob', 'INBOX');
is(scalar(grep { /^Subject: while down\r$/m } @bob), 1, 'bob has the deferred message once');
is(scalar @bob, 3, 'bob: three messages in all');

is_deeply([$p->stop(quiet => 1)], [], 'postfix stopped, no process left');
$t->stop;
done_testing;
