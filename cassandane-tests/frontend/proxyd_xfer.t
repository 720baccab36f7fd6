#!/usr/bin/perl
# proxyd_xfer.t - RENAME through the frontend to the other server moves
# the mailbox between backends (XFER): "RENAME work work server" keeps
# the name, "RENAME old new server" also renames it there.  Afterwards
# SELECT through the frontend works and shows the same messages (same
# UIDVALIDITY, UIDs, flags), the master names the new backend, and the
# old backend no longer has it.  A RENAME to an unreachable server
# leaves the mailbox where it was, still selectable.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MurderBackend;
use Murder::RawIMAP;
use Murder::Xfer;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d proxyd pop3proxyd
                     lmtpproxyd ctl_mboxlist ctl_cyrusdb mbtool));

my $t = Murder::Xfer::murder(frontends => 1);
my ($b1, $b2, $f) = ($t->backend(0), $t->backend(1), $t->frontend(0));
my $here2 = Murder::MurderBackend::here($b2);
my $srv2 = $b2->servername;
sub find { Murder::MurderBackend::find($t, @_) }

like(Murder::MurderBackend::imap($b1, "CREATE user/alice$_"), qr/^\S+ OK/,
     "CREATE user/alice$_") for '', '/work', '/old';
Murder::Xfer::fill($b1, 'alice', 'work', 5, 1500);
Murder::Xfer::fill($b1, 'alice', 'old', 3, 800);

# front - alice's view of $box through the frontend: UIDVALIDITY and
# "uid flags" lines
sub front {
    my ($c, $box) = @_;
    my ($ok, @u) = $c->cmd(qq{EXAMINE "$box"});
    return "EXAMINE: " . ($ok // 'EOF') unless ($ok // '') =~ /^\S+ OK/;
    my ($uv) = map { /UIDVALIDITY (\d+)/ ? $1 : () } @u;
    my ($fok, @f) = $c->cmd('UID FETCH 1:* (UID FLAGS RFC822.SIZE)');
    $c->cmd('UNSELECT');
    my @l = ("uidvalidity=$uv");
    for (@f) {
        my ($uid) = /UID (\d+)/;
        my ($fl) = /FLAGS \(([^)]*)\)/;
        my ($sz) = /RFC822\.SIZE (\d+)/;
        push @l, "$uid [" . join(' ', sort split / /, $fl // '') . "] $sz" if defined $uid;
    }
    return join("\n", @l);
}

my $c = Murder::RawIMAP->connect($f);
like($c->login('alice', 'alice-pw'), qr/^\S+ OK/, 'alice logs in at the frontend');
my $work = front($c, 'work');
my $old = front($c, 'old');
like($work, qr/\n5 \[/, 'work has 5 messages through the frontend');

# unreachable destination: nothing moves
like(scalar $c->cmd(qq{RENAME work work "127.0.0.254"}, 30), qr/^\S+ NO /,
     'RENAME to an unreachable server: NO');
is(front($c, 'work'), $work, 'work still served, unchanged');

# same name, other server
like(scalar $c->cmd(qq{RENAME work work "$srv2"}, 30), qr/^\S+ OK /,
     'RENAME work work server2');
is((find('user.alice.work') // [])->[2] // '', $here2, 'master: work on backend2');
ok(!exists Murder::MurderBackend::local_list($b1)->{'user.alice.work'}, 'gone from backend1');
is(front($c, 'work'), $work, 'SELECT through the frontend: the same messages');

# new name on the other server
like(scalar $c->cmd(qq{RENAME old renamed "$srv2"}, 30), qr/^\S+ OK /,
     'RENAME old renamed server2');
is((find('user.alice.renamed') // [])->[2] // '', $here2, 'master: renamed on backend2');
ok(!defined find('user.alice.old'), 'the old name is gone from the master');
is(front($c, 'renamed'), $old, 'renamed shows the old mailbox\'s messages');
$c->close;

done_testing();
