#!/usr/bin/perl
# xfer_readers_seen.t - moving a mailbox to another backend (XFER) keeps
# the per-user \Seen of the users who read it without owning it:
#  - user/alice/proj, shared with bob (ACL names him): bob's \Seen of it
#    is on backend2 afterwards, and alice's own (the index bit) too;
#  - "news", readable by anyone: bob's and alice's \Seen of it (found by
#    looking at every user's seen database) are on backend2 afterwards;
#  - a user who never read a mailbox gets no \Seen from the move.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MurderBackend;
use Murder::Xfer;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb mbtool));

my $t = Murder::Xfer::murder(users => [qw(bob carol)]);
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
my $srv2 = $b2->servername;
sub imap { Murder::MurderBackend::imap(@_) }
# the names users see (altnamespace, the default); the admin's are above
my $NEWS = 'Shared Folders/news';
my $PROJ = 'Other Users/alice/proj';

like(imap($b1, "CREATE $_"), qr/^\S+ OK/, "CREATE $_")
    for qw(user/alice user/alice/proj user/bob user/carol news);
like(imap($b1, 'SETACL user/alice/proj bob lrs'), qr/^\S+ OK/, 'proj shared with bob');
like(imap($b1, 'SETACL news anyone lrs'), qr/^\S+ OK/, 'news readable by anyone');
like(imap($b1, 'SETACL news alice lrsip'), qr/^\S+ OK/, 'alice may post to news');
# every second message \Seen as alice: the index bit in proj, alice's
# per-user record in news
Murder::Xfer::fill($b1, 'alice', $_, 4, 600) for 'proj', $NEWS;

# seen_by - the UIDs $user sees \Seen in $box on node $n
sub seen_by {
    my ($n, $user, $box) = @_;
    my $c = Murder::Xfer::login($n, $user);
    my ($ok) = $c->cmd(qq{EXAMINE "$box"});
    return "EXAMINE: " . ($ok // 'EOF') unless ($ok // '') =~ /^\S+ OK/;
    my ($fok, @f) = $c->cmd('UID FETCH 1:* (UID FLAGS)');
    $c->close;
    return join(',', map { /UID (\d+)/ ? $1 : () } grep { /\\Seen/ } @f);
}

# bob reads messages 1 and 3 of proj and message 2 of news on backend1
{
    my $c = Murder::Xfer::login($b1, 'bob');
    like(scalar $c->cmd(qq{SELECT "$PROJ"}), qr/^\S+ OK/, 'bob selects proj');
    like(scalar $c->cmd('UID STORE 1,3 +FLAGS.SILENT (\\Seen)'), qr/^\S+ OK/, 'bob: 1,3 seen');
    like(scalar $c->cmd(qq{SELECT "$NEWS"}), qr/^\S+ OK/, 'bob selects news');
    like(scalar $c->cmd('UID STORE 2 +FLAGS.SILENT (\\Seen)'), qr/^\S+ OK/, 'bob: 2 seen');
    $c->close;
}
# views - what each user sees \Seen on node $n
sub views {
    my ($n) = @_;
    return { 'bob proj' => seen_by($n, 'bob', $PROJ),
             'alice proj' => seen_by($n, 'alice', 'proj'),
             'bob news' => seen_by($n, 'bob', $NEWS),
             'alice news' => seen_by($n, 'alice', $NEWS),
             'carol news' => seen_by($n, 'carol', $NEWS) };
}
my %before = %{views($b1)};
is_deeply(\%before, { 'bob proj' => '1,3', 'alice proj' => '2,4', 'bob news' => '2',
                      'alice news' => '2,4', 'carol news' => '' },
          'each user sees his own \Seen on backend1');

{
    my $c = Murder::Xfer::login($b1);
    like(scalar $c->cmd(qq{XFER user/alice/proj "$srv2"}, 30), qr/^\S+ OK/, 'XFER proj');
    like(scalar $c->cmd(qq{XFER news "$srv2"}, 30), qr/^\S+ OK/, 'XFER news');
    $c->close;
}

is_deeply(views($b2), \%before, 'the same \Seen for every user on backend2');

done_testing();
