#!/usr/bin/perl
# xfer_failures.t - a mailbox move that fails never loses the mailbox:
#  - the destination's imapd is SIGKILLed mid-transfer (MAILBOX_FAULT_POINT
#    kills it after it staged the first message): XFER answers NO, the
#    mailbox is whole and active on the source again, nothing is left on
#    the destination's list;
#  - an external kill -9 of the destination's imapd processes while a
#    large mailbox streams in: the same;
#  - the source dies right after the destination's OK (crash point
#    xfer_after_remote_ok): both have a copy, the master names the
#    destination; the source's startup resync (ctl_mboxlist -m) moves its
#    copy aside and the destination serves the mailbox unchanged.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Time::HiRes qw(sleep time);
use Murder::MurderBackend;
use Murder::Xfer;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb mbtool));

my $t = Murder::Xfer::murder();
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
my ($here1, $here2) = map { Murder::MurderBackend::here($_) } $b1, $b2;
my $srv2 = $b2->servername;
sub find { Murder::MurderBackend::find($t, @_) }
sub imap { Murder::MurderBackend::imap(@_) }

like(imap($b1, "CREATE user/alice$_"), qr/^\S+ OK/, "CREATE user/alice$_")
    for '', '/small', '/big';
Murder::Xfer::fill($b1, 'alice', 'small', 5, 2000);
Murder::Xfer::fill($b1, 'alice', 'big', 40, 200_000);
my %before = map { $_ => Murder::Xfer::snapshot($b1, $_) } qw(user.alice.small user.alice.big);
like($before{'user.alice.big'}, qr/\n40 \[/, 'big has 40 messages');

# still_home - $name is whole and active on backend1, absent on backend2
sub still_home {
    my ($name, $what) = @_;
    is((find($name) // [])->[0] // '', 'MAILBOX', "$what: $name active on the master");
    is((find($name) // [])->[2] // '', $here1, "$what: at backend1");
    my $l1 = Murder::MurderBackend::local_list($b1);
    like($l1->{$name} // '', qr/ t=0: /, "$what: a normal entry on backend1 (not moving)");
    ok(!exists Murder::MurderBackend::local_list($b2)->{$name}, "$what: nothing on backend2's list");
    is(Murder::Xfer::snapshot($b1, $name), $before{$name}, "$what: unchanged on backend1");
}

# 1. the destination dies after its first staged message
$b2->{env}{MAILBOX_FAULT_POINT} = 'stage-synced';
$b2->restart;
{
    my $c = Murder::Xfer::login($b1, 'alice');
    like(scalar $c->cmd(qq{XFER small "$srv2"}, 30), qr/^\S+ NO \[UNAVAILABLE\] /,
         'fault on the destination: XFER answers NO [UNAVAILABLE]');
    $c->close;
}
still_home('user.alice.small', 'destination killed');
delete $b2->{env}{MAILBOX_FAULT_POINT};
$b2->restart;

# 2. kill -9 of the destination's imapd while the big mailbox streams in
{
    my $dir = $b2->imapd_option('partition-default') . '/user/alice/big';
    my $c = Murder::Xfer::login($b1, 'alice');
    my $tag = $c->next_tag;
    $c->send(qq{$tag XFER big "$srv2"\r\n});
    my ($killed, $deadline) = (0, time() + 20);
    while (!$killed && time() < $deadline) {
        if (-d $dir) {
            $killed = kill('KILL', $b2->child_pids('imap'));
        } else {
            sleep(0.002);
        }
    }
    ok($killed, 'the destination imapd was killed while receiving');
    like(scalar $c->until_tag($tag, 30) // 'EOF', qr/^\S+ NO /, 'XFER answers NO');
    $c->close;
}
still_home('user.alice.big', 'kill -9');

# 3. the source dies between the destination's OK and its own delete
$b1->{env}{MURDER_CRASH_POINT} = 'xfer_after_remote_ok';
$b1->restart;
is(imap($b1, qq{XFER user/alice/small "$srv2"}), 'EOF', 'source died after the OK');
is((find('user.alice.small') // [])->[2] // '', $here2, 'the master names backend2');
ok(exists Murder::MurderBackend::local_list($b1)->{'user.alice.small'},
   'backend1 still has its copy');
delete $b1->{env}{MURDER_CRASH_POINT};
$b1->restart; # START: ctl_mboxlist -m
{
    my $l1 = Murder::MurderBackend::local_list($b1);
    ok(!exists $l1->{'user.alice.small'}, 'after the resync backend1 no longer serves it');
    ok(scalar(grep { /^DELETED\.conflict\.user\.alice\.small\./ } keys %$l1),
       'its copy was moved aside, not destroyed') or diag(join ' ', keys %$l1);
}
is((find('user.alice.small') // [])->[2] // '', $here2, 'still on backend2');
is(Murder::Xfer::snapshot($b2, 'user.alice.small'), $before{'user.alice.small'},
   'backend2 serves it unchanged');

done_testing();
