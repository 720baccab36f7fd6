#!/usr/bin/perl
# uidl_stable.t - UIDL gives "uidvalidity.uid" (the IMAP UIDVALIDITY and
# UID of each message, as Cyrus does), unique per message, the same in a
# later session, unchanged when new mail arrives; UIDL n gives one.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', map { Murder::MsgIMAP::msg("Subject: $_\n\nb\n") } 1 .. 3);
my $i = Murder::MsgIMAP::client($n, 'alice');
my (undef, @u) = $i->cmd('SELECT INBOX');
my ($uv) = join("\n", @u) =~ /UIDVALIDITY (\d+)/;
my (undef, @f) = $i->cmd('UID FETCH 1:* UID');
my @uids = map { /UID (\d+)/ ? $1 : () } @f;
is(scalar @uids, 3, 'three messages over IMAP');

my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'login');
my ($ok, @l1) = $c->multi('UIDL');
like($ok, qr/^\+OK/, 'UIDL');
is_deeply(\@l1, [map { ($_ + 1) . " $uv.$uids[$_]" } 0 .. 2], 'uidvalidity.uid');
my %seen = map { (split / /)[1] => 1 } @l1;
is(scalar keys %seen, 3, 'unique');
is($c->cmd('UIDL 2'), "+OK 2 $uv.$uids[1]", 'UIDL 2');
$c->cmd('QUIT');

Murder::POP3::append($n, 'alice', Murder::MsgIMAP::msg("Subject: 4\n\nb\n"));
my $d = Murder::POP3->connect($n);
like($d->login('alice'), qr/^\+OK/, 'second session');
my (undef, @l2) = $d->multi('UIDL');
is(scalar @l2, 4, 'new message listed');
is_deeply([@l2[0 .. 2]], \@l1, 'same UIDLs across sessions');
isnt((split / /, $l2[3])[1], (split / /, $l1[2])[1], 'new one differs');
$n->stop;
done_testing;
