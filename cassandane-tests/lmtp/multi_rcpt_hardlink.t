#!/usr/bin/perl
# multi_rcpt_hardlink.t - one message to three recipients on one
# partition is stored once: every mailbox's file is the same inode
# (singleinstancestore), each recipient got its own 250.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob carol)]);
my $c = Murder::LMTP->connect($n);
my $r = $c->deliver('s@example.com', [qw(alice@x bob@x carol@x)],
                    Murder::LMTP::message());
is(scalar(grep { /^250 2\.1\.5/ } @{$r->{data}}), 3, 'three 250 after DATA');
my @m = map { (Murder::LMTP::messages($n, "user.$_"))[0] } qw(alice bob carol);
is(scalar(grep { defined } @m), 3, 'a message in each INBOX');
is($m[1]{ino}, $m[0]{ino}, 'bob shares alice\'s file');
is($m[2]{ino}, $m[0]{ino}, 'carol shares alice\'s file');
cmp_ok($m[0]{nlink}, '>=', 3, 'hard links');
done_testing;
