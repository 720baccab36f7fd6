#!/usr/bin/perl
# xfer_backend.t - XFER sent straight to a backend moves a mailbox to
# the other backend: a user's subfolder (as the user) and then a whole
# user (INBOX, children, subscriptions; as the admin).  Afterwards the
# mailboxes are on backend2 with the same UIDVALIDITY, UIDs, flags and
# bytes, gone from backend1, and the master's FIND names backend2.
# Refusals: XFERRECV from a user, XFER of a mailbox the user may not
# delete, a user moving their own INBOX without allowusermoves.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MurderBackend;
use Murder::Xfer;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb mbtool));

my $t = Murder::Xfer::murder();
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
my $here2 = Murder::MurderBackend::here($b2);
my $srv2 = $b2->servername;
sub find { Murder::MurderBackend::find($t, @_) }
sub imap { Murder::MurderBackend::imap(@_) }

like(imap($b1, "CREATE user/alice$_"), qr/^\S+ OK/, "CREATE user/alice$_")
    for '', '/work', '/work/deep';
Murder::Xfer::fill($b1, 'alice', 'INBOX', 4, 2000);
Murder::Xfer::fill($b1, 'alice', 'work', 6, 3000);
Murder::Xfer::fill($b1, 'alice', 'work/deep', 2, 500);
{
    my $c = Murder::Xfer::login($b1, 'alice');
    like(scalar $c->cmd('SUBSCRIBE work'), qr/^\S+ OK/, 'alice subscribes to work');
    like(scalar $c->cmd('SUBSCRIBE INBOX'), qr/^\S+ OK/, 'and to INBOX');
    $c->close;
}
my %before = map { $_ => Murder::Xfer::snapshot($b1, $_) }
    qw(user.alice user.alice.work user.alice.work.deep);
like($before{'user.alice.work'}, qr/^uidvalidity=\d+\n1 \[/, 'snapshot of work');

# refusals
{
    my $c = Murder::Xfer::login($b2, 'alice');
    like(scalar $c->cmd(qq{XFERRECV "user.alice.x" "" {3}\r\nabc}),
         qr/^\S+ NO \[NOPERM\]/, 'XFERRECV from a user: NO [NOPERM]');
    $c->close;
    $c = Murder::Xfer::login($b1, 'alice');
    like(scalar $c->cmd(qq{XFER INBOX "$srv2"}), qr/^\S+ NO /,
         'a user cannot move their INBOX without allowusermoves');
    like(scalar $c->cmd(qq{XFER nosuch "$srv2"}), qr/^\S+ NO \[NONEXISTENT\]/,
         'XFER of a missing mailbox');
    like(scalar $c->cmd(qq{XFER work "$srv2!nopart"}), qr/^\S+ NO .*partition/i,
         'unknown destination partition: NO');
    $c->close;
    is((find('user.alice.work') // [])->[2] // '', Murder::MurderBackend::here($b1),
       'after the refused XFER work is active on backend1 again');
}

# a subfolder, as the user (its child moves along)
{
    my $c = Murder::Xfer::login($b1, 'alice');
    like(scalar $c->cmd(qq{XFER work "$srv2"}, 30), qr/^\S+ OK /, 'XFER work as alice');
    $c->close;
}
for my $name (qw(user.alice.work user.alice.work.deep)) {
    is((find($name) // [])->[2] // '', $here2, "master: $name on backend2");
    is((find($name) // [])->[0] // '', 'MAILBOX', "master: $name active");
    ok(!exists Murder::MurderBackend::local_list($b1)->{$name}, "$name gone from backend1");
    is(Murder::Xfer::snapshot($b2, $name), $before{$name},
       "$name on backend2: same UIDVALIDITY, UIDs, flags, bytes");
}
is(Murder::Xfer::snapshot($b1, 'user.alice'), $before{'user.alice'}, 'INBOX stayed');

# the whole user, as the admin
{
    my $c = Murder::Xfer::login($b1);
    like(scalar $c->cmd(qq{XFER user/alice "$srv2!default"}, 30), qr/^\S+ OK /,
         'XFER user/alice as the admin');
    $c->close;
}
is((find('user.alice') // [])->[2] // '', $here2, 'master: user.alice on backend2');
ok(!exists Murder::MurderBackend::local_list($b1)->{'user.alice'}, 'INBOX gone from backend1');
is(Murder::Xfer::snapshot($b2, 'user.alice'), $before{'user.alice'}, 'INBOX identical on backend2');
is(Murder::Xfer::subs($b2, 'alice'), 'INBOX work', 'subscriptions moved along');
{
    my $c = Murder::Xfer::login($b2, 'alice');
    my ($ok, @u) = $c->cmd('SELECT work');
    like($ok, qr/^\S+ OK/, 'alice selects work on backend2');
    ok(scalar(grep { /^\* 6 EXISTS/ } @u), 'with its 6 messages');
    $c->close;
}

# and back again: the same names can return to backend1
{
    my $c = Murder::Xfer::login($b2);
    like(scalar $c->cmd(qq{XFER user/alice/work "} . $b1->servername . '"', 30),
         qr/^\S+ OK /, 'XFER back to backend1');
    $c->close;
    is(Murder::Xfer::snapshot($b1, 'user.alice.work'), $before{'user.alice.work'},
       'back on backend1 unchanged');
}

done_testing();
