#!/usr/bin/perl
# backend_master_down.t - with the MUPDATE master stopped, a backend's
# mailbox-list writes (CREATE, DELETE, RENAME, SETACL) fail with a clear
# NO [UNAVAILABLE] and change nothing, while SELECT, APPEND and LMTP
# delivery go on; a backend restarted meanwhile still comes up (its START
# `ctl_mboxlist -m` fails temporarily); when the master is back, writes
# work again without restarting anything.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MurderBackend;
use Murder::LMTP;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb));

my $t = Murder::MurderBackend::murder();
my $b1 = $t->backend(0);
sub imap { Murder::MurderBackend::imap(@_) }

like(imap($b1, 'CREATE user/alice'), qr/^\S+ OK/, 'CREATE user/alice');
like(imap($b1, 'CREATE user/alice/keep'), qr/^\S+ OK/, 'CREATE user/alice/keep');
$t->mupdate->stop;

my $unavail = qr/^\S+ NO \[UNAVAILABLE\].*MUPDATE master/;
like(imap($b1, 'CREATE user/alice/new'), $unavail, 'CREATE: NO [UNAVAILABLE]');
like(imap($b1, 'DELETE user/alice/keep'), $unavail, 'DELETE: NO [UNAVAILABLE]');
like(imap($b1, 'RENAME user/alice/keep user/alice/moved'), $unavail, 'RENAME: NO');
like(imap($b1, 'SETACL user/alice/keep bob lrs'), $unavail, 'SETACL: NO');
my $l = Murder::MurderBackend::local_list($b1);
ok(!exists $l->{'user.alice.new'}, 'the refused CREATE left no entry');
ok(exists $l->{'user.alice.keep'}, 'the refused DELETE kept the mailbox');
ok(!exists $l->{'user.alice.moved'}, 'the refused RENAME moved nothing');
unlike($l->{'user.alice.keep'}, qr/bob/, 'the refused SETACL changed nothing');

# mail goes on
sub mail_works {
    my ($what) = @_;
    my $c = Murder::MurderBackend::admin($b1, 'alice', 'alice-pw');
    like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, "$what: SELECT INBOX");
    my $msg = Murder::LMTP::message(subject => 'appended');
    my $len = length($msg);
    my $tag = $c->next_tag;
    $c->send("$tag APPEND INBOX {$len+}\r\n$msg\r\n");
    like(scalar $c->until_tag($tag), qr/^\S+ OK/, "$what: APPEND");
    $c->close;
    my $lm = Murder::LMTP->connect($b1);
    $lm->{lhlo} = $lm->cmd('LHLO test.example');
    like($lm->cmd('AUTH PLAIN ' . Murder::RawIMAP::plain('', $Murder::Topology::ADMIN_USER,
                                                         $Murder::Topology::ADMIN_PASSWORD)),
         qr/^235 /, "$what: LMTP AUTH");
    my $r = $lm->deliver('sender@example.com', ['alice'],
                         Murder::LMTP::message(subject => 'delivered'));
    like($r->{data}[0] // "", qr/^250 /, "$what: LMTP delivery")
        or diag(explain($r));
    $lm->close;
}
mail_works('master down');

# a backend restarted while the master is down still serves mail
$b1->stop;
$b1->start;
ok(scalar $b1->log_lines(qr/start command failed temporarily.*mupdatepush/),
   'START ctl_mboxlist -m failed temporarily, logged');
ok(scalar $b1->log_lines(qr/cannot reach the MUPDATE master/),
   'ctl_mboxlist said why');
mail_works('after a restart without master');
like(imap($b1, 'CREATE user/alice/new'), $unavail, 'CREATE still refused');

# the master comes back: the same backend writes again
$t->mupdate->start;
like(imap($b1, 'CREATE user/alice/new'), qr/^\S+ OK/, 'CREATE works again');
is((Murder::MurderBackend::find($t, 'user.alice.new') // [])->[0] // '', 'MAILBOX',
   'and reaches the master');
like(imap($b1, 'DELETE user/alice/keep'), qr/^\S+ OK/, 'DELETE works again');
ok(!defined Murder::MurderBackend::find($t, 'user.alice.keep'), 'deleted on the master');

$t->stop;
done_testing;
