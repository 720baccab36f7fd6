# SPDX-License-Identifier: BSD-3-Clause
# Murder::Xfer - helpers of the mailbox-move tests (XFER between
# backends, cassandane-tests/frontend/xfer_*.t and proxyd_xfer.t): a
# murder whose backends can reach each other as proxy_authname, filling
# a mailbox over IMAP, and a snapshot of a mailbox (UIDVALIDITY, UIDs,
# flags, bytes) to compare before and after a move.
#
#   my $t = Murder::Xfer::murder(frontends => 0);       # started
#   Murder::Xfer::fill($t->backend(0), 'alice', 'INBOX', 5, 1000);
#   my $s = Murder::Xfer::snapshot($t->backend(0), 'user.alice');
package Murder::Xfer;
use strict;
use warnings;
use Carp qw(croak);
use Murder::LMTP;
use Murder::MurderBackend;
use Murder::Ports qw(alloc_addresses alloc_port);
use Murder::RawIMAP;
use Murder::Topology;

# murder - master + 2 backends (+ $o{frontends}, default 0) where each
# backend may log in to the other as `proxy` (the XFER transport), user
# alice (and those named in $o{users}, password "<user>-pw") everywhere;
# started.
sub murder {
    my (%o) = @_;
    my $nf = delete $o{frontends} // 0;
    my @users = ('alice', @{delete $o{users} // []});
    my @addr = alloc_addresses(3 + $nf);
    my $imap = alloc_port(@addr[1, 2]);
    my %bc = (proxy_authname => $Murder::Topology::PROXY_USER,
              proxy_password => $Murder::Topology::PROXY_PASSWORD,
              backend_imap_port => $imap, %{delete $o{backend_config} // {}});
    my $t = Murder::Topology->murder(backends => 2, frontends => $nf,
        addresses => \@addr, ports => { imap => $imap },
        config => { sasl_mech_list => 'PLAIN LOGIN' },
        backend_config => \%bc, %o);
    $t->add_user($_ => "$_-pw") for @users;
    $t->start;
    return $t;
}

# login - a RawIMAP session on node $n as $user (admin by default).
sub login { return Murder::MurderBackend::admin($_[0], $_[1],
                                                 $_[1] ? "$_[1]-pw" : undef) }

# fill - append $count messages of about $size bytes to $folder as $user
# on node $n; every third one \Flagged and $Work, every second \Seen.
sub fill {
    my ($n, $user, $folder, $count, $size) = @_;
    my $c = login($n, $user);
    for my $i (1 .. $count) {
        my $body = sprintf("line %06d of message %d\r\n", 0, $i);
        $body .= sprintf("line %06d of message %d\r\n", length($body), $i)
            while length($body) < $size;
        my $msg = Murder::LMTP::message(subject => "m$i", body => $body);
        my @f = ($i % 3 == 0 ? ('\\Flagged', '$Work') : (),
                 $i % 2 == 0 ? ('\\Seen') : ());
        my $tag = $c->next_tag;
        my $len = length($msg);
        $c->send("$tag APPEND \"$folder\" (@f) {$len+}\r\n$msg\r\n");
        my $r = $c->until_tag($tag, 30) // 'EOF';
        croak "APPEND to $folder: $r" unless $r =~ /^\S+ OK/;
    }
    $c->close;
}

# snapshot - what must survive a move of internal mailbox $name on node
# $n, as its owner sees it (user.alice.x: alice; else the admin, given
# 'lrs' first): "uidvalidity=N" and one "uid [flags] size checksum" line
# per message; undef when the mailbox cannot be examined.
sub snapshot {
    my ($n, $name) = @_;
    my ($user, $ext);
    if ($name =~ /^user\.([^.]+)(?:\.(.*))?$/) {
        $user = $1;
        $ext = defined $2 ? $2 : 'INBOX';
    } else {
        $ext = $name;
    }
    $ext =~ s/\./\//g;
    my $c = login($n, $user);
    $c->cmd(qq{SETACL "$ext" admin lrs}) unless $user;
    my ($ok, @u) = $c->cmd(qq{EXAMINE "$ext"});
    unless (($ok // '') =~ /^\S+ OK/) {
        $c->close;
        return undef;
    }
    my ($uv) = map { /UIDVALIDITY (\d+)/ ? $1 : () } @u;
    my ($fok, @f) = $c->cmd('UID FETCH 1:* (UID FLAGS)');
    $c->close;
    my @lines = ("uidvalidity=$uv");
    my %bytes = map { $_->{uid} => Murder::LMTP::message_text($_) }
                Murder::LMTP::messages($n, $name);
    for (@f) {
        my ($uid) = /UID (\d+)/;
        my ($fl) = /FLAGS \(([^)]*)\)/;
        next unless defined $uid;
        my $sorted = join(' ', sort split / /, $fl // '');
        push @lines, "$uid [$sorted] " . length($bytes{$uid} // '') . ' ' .
                     unpack('%32C*', $bytes{$uid} // '');
    }
    return join("\n", @lines);
}

# subs - node $n's LSUB of $user (sorted names).
sub subs {
    my ($n, $user) = @_;
    my $c = login($n, $user);
    my ($ok, @u) = $c->cmd('LSUB "" "*"');
    $c->close;
    return join(' ', sort map { /^\* LSUB \([^)]*\) "?.?"? "?([^"]*)"?$/ ? $1 : () } @u);
}

1;
